/**
 * The name a strategy gave a variable (`paraphraser/encoder/conv1/kernel`), from the one the kernel registered:
 * `<term name>/<local>`, with `#2`, `#3`… when another live variable held it. Term names have no `/`.
 */
export function localVariableName(registered: string): string {
  return registered.slice(registered.indexOf('/') + 1).replace(/#\d+$/, '');
}
