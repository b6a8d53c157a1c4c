/** A tensor's value as plain data, for checkpoints: what it takes to rebuild it exactly. */
export interface StateTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}
