import type * as tf from '@tensorflow/tfjs-core';

const bytesPerElement: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** The byte length the weight specs of a model.json describe, quantisation included. */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const elements = spec.shape.reduce((product, size) => product * size, 1);
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    total += elements * (bytesPerElement[dtype] ?? 4);
  }
  return total;
}
