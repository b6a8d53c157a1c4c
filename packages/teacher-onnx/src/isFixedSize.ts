/** Whether a size of onnxruntime's shapes is a size: it gives a name, or -1, for one that may vary. */
export function isFixedSize(size: number | string | undefined): size is number {
  return typeof size === 'number' && size > 0;
}
