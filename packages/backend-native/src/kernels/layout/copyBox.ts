/**
 * Copies the box of extent `size` that starts at `sourceBegin` in `source` (row-major, shape `sourceShape`) to
 * `targetBegin` in `target` (shape `targetShape`). The trailing axes the box covers whole in both arrays are merged
 * with the innermost partial one into a single contiguous run, so a channel slice of an NHWC map is N·H·W runs of its
 * channels, not an index computation per element (what the cpu backend's Slice and PadV2 do, at ~1 µs an element).
 * Slice, SplitV, Concat and PadV2 are all this copy with different boxes.
 */
export function copyBox(
  source: Float32Array | Int32Array,
  sourceShape: readonly number[],
  sourceBegin: readonly number[],
  target: Float32Array | Int32Array,
  targetShape: readonly number[],
  targetBegin: readonly number[],
  size: readonly number[],
): void {
  if (size.some((extent) => extent === 0)) return;
  const rank = size.length;
  const sourceStrides = stridesOf(sourceShape);
  const targetStrides = stridesOf(targetShape);
  let run = 1;
  let axis = rank - 1;
  while (axis >= 0) {
    const extent = size[axis] as number;
    run *= extent;
    const whole = extent === sourceShape[axis] && extent === targetShape[axis];
    axis--;
    if (!whole) break;
  }
  // Axes 0..outerRank-1 are walked with an odometer; the rest is one run.
  const outerRank = axis + 1;
  let from = 0;
  let to = 0;
  for (let a = 0; a < rank; a++) {
    from += (sourceBegin[a] as number) * (sourceStrides[a] as number);
    to += (targetBegin[a] as number) * (targetStrides[a] as number);
  }
  let runs = 1;
  for (let a = 0; a < outerRank; a++) runs *= size[a] as number;
  const counter = new Array<number>(outerRank).fill(0);
  for (let n = 0; n < runs; n++) {
    // Short runs copy faster element by element than through a subarray view.
    if (run >= 64) target.set(source.subarray(from, from + run), to);
    else for (let i = 0; i < run; i++) target[to + i] = source[from + i] as number;
    for (let a = outerRank - 1; a >= 0; a--) {
      from += sourceStrides[a] as number;
      to += targetStrides[a] as number;
      const next = (counter[a] as number) + 1;
      if (next < (size[a] as number)) {
        counter[a] = next;
        break;
      }
      counter[a] = 0;
      from -= (size[a] as number) * (sourceStrides[a] as number);
      to -= (size[a] as number) * (targetStrides[a] as number);
    }
  }
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= shape[a] as number;
  }
  return strides;
}
