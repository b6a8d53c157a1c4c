import { expectedWeightBytes } from '@distillery/node';
import { setFloat16 } from '@petamoriken/float16';
import type * as tf from '@tensorflow/tfjs-core';

export type Quantization = 'float16' | 'uint8';

/**
 * Quantizes float32 weights into the tfjs weights-manifest format, which every tfjs loader
 * dequantizes on load: float16 (IEEE half precision, relative error ≤ 2⁻¹¹), or uint8 with an affine
 * map per tensor, w ≈ q·scale + min, scale = (max − min) / 255 (absolute error ≤ scale / 2).
 * Non-float weights are kept as they are.
 */
export function quantizeWeights(
  specs: readonly tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
  quantization: Quantization,
): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const parts: Uint8Array[] = [];
  const quantized: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((product, size) => product * size, 1);
    // Sized by what is stored: a weight quantized already takes 1 or 2 bytes per value, not its dtype's 4.
    const bytes = expectedWeightBytes([spec]);
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
      parts.push(new Uint8Array(data, offset, bytes));
      quantized.push(spec);
      offset += bytes;
      continue;
    }
    const values = new Float32Array(data.slice(offset, offset + bytes));
    offset += bytes;
    if (quantization === 'float16') {
      const out = new DataView(new ArrayBuffer(count * 2));
      for (let i = 0; i < count; i++) setFloat16(out, i * 2, values[i] as number, true);
      parts.push(new Uint8Array(out.buffer));
      quantized.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const value of values) {
        if (value < min) min = value;
        if (value > max) max = value;
      }
      if (count === 0) min = max = 0;
      const scale = max > min ? (max - min) / 255 : 1;
      const out = new Uint8Array(count);
      values.forEach((value, i) => {
        out[i] = Math.round((value - min) / scale);
      });
      parts.push(out);
      quantized.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
    }
  }
  const total = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    total.set(part, at);
    at += part.byteLength;
  }
  return { specs: quantized, data: total.buffer };
}
