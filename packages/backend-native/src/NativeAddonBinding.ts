/**
 * The functions of the compiled addon (native/, built by node-gyp into build/Release/distillery_native.node).
 * Every tensor is a row-major Float32Array that the addon reads and writes in place, without copying;
 * `out`, `dx` and `dw` are written. Activation codes are those of {@link activationCode}.
 */
export interface NativeAddonBinding {
  /**
   * out[batch, m, n] = activation(op(a) · op(b) + bias), op transposing when asked. A batch stride of 0
   * reuses one matrix for every batch entry. `bias` and `preluAlpha` hold n values, one per column.
   */
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aBatchStride: number,
    bBatchStride: number,
    bias: Float32Array | null,
    activation: number,
    leakyReluAlpha: number,
    preluAlpha: Float32Array | null,
  ): void;

  /** NHWC convolution, filter [filterH, filterW, inC, outC]; `bias` and `preluAlpha` hold outC values. */
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    out: Float32Array,
    ...geometryAndEpilogue: [
      ...ConvGeometry,
      bias: Float32Array | null,
      activation: number,
      alpha: number,
      preluAlpha: Float32Array | null,
    ]
  ): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, ...geometry: ConvGeometry): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, ...geometry: ConvGeometry): void;
  /**
   * The filter gradient of a depthwise convolution (outC = inC · multiplier, dilation 1), NHWC:
   * dw [fH, fW, inC, multiplier], each value summed in double precision in (batch, row, column) order.
   */
  depthwiseConv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, ...geometry: ConvGeometry): void;
  /**
   * A depthwise convolution, NHWC, filter [fH, fW, inC, multiplier]: each output accumulates its taps in
   * (row, column) order, every addition rounded to float32 (as tfjs's cpu kernel does).
   */
  depthwiseConv2d(x: Float32Array, filter: Float32Array, out: Float32Array, ...geometry: ConvGeometry): void;
  /** The input gradient of a depthwise convolution (dilation 1), each value summed in double precision. */
  depthwiseConv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, ...geometry: ConvGeometry): void;

  maxPool(x: Float32Array, out: Float32Array, ...geometry: PoolGeometry): void;
  maxPoolBackprop(dy: Float32Array, x: Float32Array, dx: Float32Array, ...geometry: PoolGeometry): void;
  avgPool(x: Float32Array, out: Float32Array, ...geometry: PoolGeometry): void;
  avgPoolBackprop(dy: Float32Array, dx: Float32Array, ...geometry: PoolGeometry): void;

  /**
   * out[i] = a[i] ∘ b[i], ∘ by `op`: 0 add, 1 sub, 2 mul, 3 div (float32, correctly rounded). `a` or `b`
   * may hold a single value (a scalar operand), else as many as `out`; `out` may be an input, in place.
   */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /**
   * out = a ∘ b broadcast over the first `rank` of the six sizes (row-major, `out` contiguous), each operand
   * read at Σ index·stride with its six strides (0 along an axis it repeats on; the last axis's 0 or 1).
   * ∘ by `op`: 0 add, 1 sub, 2 mul, 3 div, 4 squared difference, 5 maximum, 6 minimum (NaN wins).
   */
  binaryBroadcast(op: number, a: Float32Array, b: Float32Array, out: Float32Array, rank: number, ...geometry: number[]): void;
  /**
   * The comparison `op` (0 >, 1 >=, 2 <, 3 <=, 4 ==, 5 !=; NaN compares false except under !=) over the same
   * geometry as `binaryBroadcast`, 1 or 0 into `out` (a bool tensor's bytes).
   */
  compareBroadcast(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, rank: number, ...geometry: number[]): void;
  /**
   * Sums of `x` (rows × columns): with `overRows`, one per column over the rows, else one per row over the
   * columns; each in double precision in index order, rounded once. `divisor` > 0 divides every element by it
   * (rounded to float32) before summing, a mean as the cpu backend computes one.
   */
  reduce(x: Float32Array, rows: number, columns: number, out: Float32Array, overRows: boolean, divisor: number): void;
  /**
   * tfjs's FusedBatchNorm over `x` as rows of `channels`: out = offset + (x − mean)·scale / √(variance + ε) per
   * element in double precision, rounded once. mean, variance, offset and scale hold `channels` values or
   * one; offset and scale may be null (0 and 1).
   */
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    epsilon: number,
    channels: number,
    out: Float32Array,
  ): void;
  /**
   * Batch normalisation in training mode over `x` as rows of `channels`: writes the per-channel mean and
   * biased variance (sums in double, in chunks added in order, so independent of the thread count) and
   * y = (x − mean)·scale / √(variance + ε) + offset. scale, offset, mean and variance hold `channels` values.
   */
  batchNormTrain(
    x: Float32Array,
    scale: Float32Array,
    offset: Float32Array,
    epsilon: number,
    channels: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  /**
   * Its gradient: doffset = Σ dy, dscale = Σ dy·x̂ and dx = scale·inv·(dy − doffset/n − x̂·dscale/n) per channel,
   * with inv = 1/√(variance + ε), x̂ = (x − mean)·inv and n the rows; the sums as in batchNormTrain.
   */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    scale: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
    channels: number,
    dx: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  /**
   * out[i] = f(x[i]), f by `op`: 0 sqrt, 1 square, 2 relu (NaN stays NaN, -0 gives +0), 3 step (1 above
   * zero, else `alpha`; NaN stays NaN). `x` holds as many values as `out`, which may be `x` itself.
   */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;

  /**
   * One Adam step in one pass: m' = m·β₁ + g·(1−β₁), v' = v·β₂ + g²·(1−β₂),
   * θ' = θ + ((m'/c₁) / (√(v'/c₂) + ε))·(−lr), each operation one correctly rounded float32 operation.
   * All seven arrays hold the same number of values; an output may be its own input (in place).
   */
  adamUpdate(
    variable: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradient: Float32Array,
    variableOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    beta1: number,
    beta2: number,
    biasCorrection1: number,
    biasCorrection2: number,
    epsilon: number,
    learningRate: number,
  ): void;

  /** Sets the size of the addon's thread pool (1–64); returns the count now in force. */
  setThreads(threads: number): number;
  threads(): number;
  /** The kernel flavour in use: the best the CPU supports among avx512, avx2 and scalar. */
  simd(): string;
  /** Uses a lower kernel flavour (never one the CPU lacks); returns the flavour now in force. */
  setSimd(level: 'avx512' | 'avx2' | 'scalar'): string;
  /** The GEMM blocking of the flavour in use and the thread count, for diagnostics. */
  info(): { simd: string; mr: number; nr: number; mc: number; kc: number; nc: number; threads: number };
}

type ConvGeometry = [
  batch: number,
  inHeight: number,
  inWidth: number,
  inChannels: number,
  outHeight: number,
  outWidth: number,
  outChannels: number,
  filterHeight: number,
  filterWidth: number,
  strideHeight: number,
  strideWidth: number,
  dilationHeight: number,
  dilationWidth: number,
  padTop: number,
  padLeft: number,
];

type PoolGeometry = [
  batch: number,
  inHeight: number,
  inWidth: number,
  channels: number,
  outHeight: number,
  outWidth: number,
  filterHeight: number,
  filterWidth: number,
  strideHeight: number,
  strideWidth: number,
  dilationHeight: number,
  dilationWidth: number,
  padTop: number,
  padLeft: number,
];
