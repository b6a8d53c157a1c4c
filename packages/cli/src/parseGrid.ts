import { DistilleryError } from '@distillery/core';

/** `--grid temperature=1,2,4 --grid alpha=0.5,0.9` → { temperature: [1, 2, 4], alpha: [0.5, 0.9] }. */
export function parseGrid(entries: readonly string[]): Record<string, number[]> {
  if (entries.length === 0) throw new DistilleryError('--grid: give at least one, e.g. --grid temperature=1,2,4,8');
  const grid: Record<string, number[]> = {};
  for (const entry of entries) {
    const match = /^([\w.[\]]+)=(.+)$/.exec(entry);
    if (match === null) throw new DistilleryError(`--grid ${entry}: expected name=value,value,… (e.g. temperature=1,2,4)`);
    const [, name, list] = match as unknown as [string, string, string];
    const values = list.split(',').map((text) => Number(text.trim()));
    if (values.some((value, i) => !Number.isFinite(value) || list.split(',')[i]?.trim() === '')) {
      throw new DistilleryError(`--grid ${entry}: every value must be a number`);
    }
    // Own keys only (`in` would also find toString), and defined rather than assigned so that
    // `__proto__` stays a key that applySetting refuses instead of vanishing into the prototype.
    if (Object.hasOwn(grid, name)) throw new DistilleryError(`--grid ${name}: given twice`);
    Object.defineProperty(grid, name, { value: values, enumerable: true, writable: true, configurable: true });
  }
  return grid;
}
