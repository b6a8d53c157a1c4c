/** The addon's `binaryBroadcast` geometry: at most this many axes once alike axes are merged. */
export const maxBroadcastRank = 6;

/** An output shape and each operand's element strides over it (0 along an axis the operand repeats on). */
export interface BroadcastGeometry {
  readonly shape: number[];
  readonly aStrides: number[];
  readonly bStrides: number[];
}

/**
 * How `a` and `b` broadcast to `outShape` (numpy rules, as tfjs applies them), with the fewest axes: axes of
 * size 1 are dropped and neighbouring axes merged where both operands step through them alike (both
 * contiguous, or both repeated), so [64, 32, 32, 16] ∘ [16] is the two axes [65536, 16] and a two-sided
 * [128, 1, 256] ∘ [1, 128, 256] stays three. Always at least one axis; its strides are 0 or 1.
 */
export function broadcastGeometry(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): BroadcastGeometry {
  const stridesOf = (shape: readonly number[]) => {
    const padded = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
    const strides = new Array<number>(padded.length).fill(0);
    let step = 1;
    for (let k = padded.length - 1; k >= 0; k--) {
      strides[k] = padded[k] === 1 ? 0 : step;
      step *= padded[k] as number;
    }
    return strides;
  };
  const aAll = stridesOf(aShape);
  const bAll = stridesOf(bShape);
  const shape: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  outShape.forEach((size, k) => {
    if (size === 1) return;
    const last = shape.length - 1;
    const a = aAll[k] as number;
    const b = bAll[k] as number;
    // The axis before merges into this one when each operand's stride there is this axis's span.
    if (last >= 0 && aStrides[last] === a * size && bStrides[last] === b * size) {
      shape[last] = (shape[last] as number) * size;
      aStrides[last] = a;
      bStrides[last] = b;
    } else {
      shape.push(size);
      aStrides.push(a);
      bStrides.push(b);
    }
  });
  return shape.length === 0 ? { shape: [1], aStrides: [0], bStrides: [0] } : { shape, aStrides, bStrides };
}

/**
 * The addon's `binaryBroadcast` / `compareBroadcast` geometry arguments after the operands and output: rank,
 * six sizes, six strides of a, six of b (unused axes 0). Undefined when the merged geometry has more axes
 * than the addon takes.
 */
export function broadcastArguments(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): [number, ...number[]] | undefined {
  const { shape, aStrides, bStrides } = broadcastGeometry(aShape, bShape, outShape);
  if (shape.length > maxBroadcastRank) return undefined;
  const padded = (values: number[]) => [...values, ...new Array<number>(maxBroadcastRank - values.length).fill(0)];
  return [shape.length, ...padded(shape), ...padded(aStrides), ...padded(bStrides)];
}
