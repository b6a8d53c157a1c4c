/**
 * Short names for a sweep's parameters, for labels a reader takes in at a glance: `temperature` → `T`,
 * `alpha` → `α`, a config path → its last part (`training.optimizer.learningRate` → `learningRate`),
 * unless two paths would then read the same, in which case those keep their whole path.
 */
export function settingNames(parameters: readonly string[]): Record<string, string> {
  const short = (name: string) =>
    name === 'temperature' ? 'T' : name === 'alpha' ? 'α' : (/(?:^|\.)([^.]+)$/.exec(name)?.[1] ?? name);
  const counts = new Map<string, number>();
  for (const name of parameters) counts.set(short(name), (counts.get(short(name)) ?? 0) + 1);
  return Object.fromEntries(parameters.map((name) => [name, counts.get(short(name)) === 1 ? short(name) : name]));
}
