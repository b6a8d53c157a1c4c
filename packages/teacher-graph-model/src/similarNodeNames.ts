/**
 * Up to `limit` of `names` that contain `requested` (case-insensitive), or else its last path segment: what a user
 * who mistyped `stage2/Relu` or gave only `Relu` most likely meant.
 */
export function similarNodeNames(requested: string, names: readonly string[], limit = 5): string[] {
  const containing = (text: string) => {
    const needle = text.toLowerCase();
    return needle === '' ? [] : names.filter((name) => name.toLowerCase().includes(needle));
  };
  const lastSegment = requested.replace(/:\d+$/, '').split('/').at(-1) ?? '';
  const found = containing(requested);
  return (found.length > 0 ? found : containing(lastSegment)).slice(0, limit);
}
