/**
 * One elementwise binary operation as three loops, each written out for its own operation so that V8
 * compiles a tight monomorphic loop (the cpu backend calls one shared closure per element instead).
 */
export interface BinaryLoops {
  /** out[i] = a[i] ∘ b[i] */
  readonly same: (a: Float32Array, b: Float32Array, out: Float32Array) => void;
  /** out[i] = a[i] ∘ b */
  readonly scalarRight: (a: Float32Array, b: number, out: Float32Array) => void;
  /** out[i] = a ∘ b[i] */
  readonly scalarLeft: (a: number, b: Float32Array, out: Float32Array) => void;
  /** out[r, c] = a[r, c] ∘ b[c]: b repeats along a's leading axes (a bias) */
  readonly rowsRight: (a: Float32Array, b: Float32Array, out: Float32Array) => void;
  /** out[r, c] = a[c] ∘ b[r, c] */
  readonly rowsLeft: (a: Float32Array, b: Float32Array, out: Float32Array) => void;
  /** out[r, c] = a[r, c] ∘ b[r]: b repeats along a's trailing axes (a per-row value, as in softmax) */
  readonly columnsRight: (a: Float32Array, b: Float32Array, out: Float32Array) => void;
  /** out[r, c] = a[r] ∘ b[r, c] */
  readonly columnsLeft: (a: Float32Array, b: Float32Array, out: Float32Array) => void;
}
