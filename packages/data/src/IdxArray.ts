/** An array read from an IDX file, the format of the MNIST files. */
export type IdxArray =
  | { readonly dtype: 'uint8'; readonly shape: readonly number[]; readonly data: Uint8Array }
  | { readonly dtype: 'int8'; readonly shape: readonly number[]; readonly data: Int8Array }
  | { readonly dtype: 'int16'; readonly shape: readonly number[]; readonly data: Int16Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly shape: readonly number[]; readonly data: Float64Array };
