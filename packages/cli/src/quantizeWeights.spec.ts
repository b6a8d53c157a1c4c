import '@tensorflow/tfjs-backend-cpu';
import { getFloat16 } from '@petamoriken/float16';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantizeWeights } from './quantizeWeights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A float32 kernel, an int32 counter between the floats (offsets must stay right after it), and a float32 bias. */
function weights(kernel: number[], bias: number[]): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'dense/kernel', shape: [kernel.length / 2, 2], dtype: 'float32' },
    { name: 'optimizer/iterations', shape: [2], dtype: 'int32' },
    { name: 'dense/bias', shape: [bias.length], dtype: 'float32' },
  ];
  const parts = [new Float32Array(kernel), new Int32Array([7, -123456789]), new Float32Array(bias)];
  const data = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    data.set(new Uint8Array(part.buffer), at);
    at += part.byteLength;
  }
  return { specs, data: data.buffer };
}

/** Decodes as every tfjs loader does (dequantizing per the manifest) and returns plain numbers by name. */
function decoded(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): Record<string, number[]> {
  const tensors = tf.io.decodeWeights(data, specs);
  const values = Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
  tf.dispose(Object.values(tensors));
  return values;
}

/** Deterministic values spread over several orders of magnitude, both signs. */
function spread(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.fround(Math.sin(i * 12.9898) * 10 ** ((i % 7) - 4)));
}

describe('quantizeWeights', () => {
  describe('to float16', () => {
    it('halves the floats, keeps the int32 weights, and marks only the floats as quantized', () => {
      const { specs, data } = weights(spread(400), spread(10));
      const quantized = quantizeWeights(specs, data, 'float16');
      // (400 + 10) floats · 2 bytes + 2 ints · 4 bytes
      expect(quantized.data.byteLength).toBe(410 * 2 + 2 * 4);
      expect(quantized.specs).toEqual([
        { name: 'dense/kernel', shape: [200, 2], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'optimizer/iterations', shape: [2], dtype: 'int32' },
        { name: 'dense/bias', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } },
      ]);
      expect(Array.from(new Int32Array(quantized.data.slice(800, 808)))).toEqual([7, -123456789]);
    });

    it('round-trips through a tfjs loader within half precision’s relative error 2⁻¹¹', () => {
      const kernel = spread(400);
      const bias = [0, -0, 0.5, -2, 1024, 65504, 6.103515625e-5, 3e-6, -1.25, 0.1];
      const { specs, data } = weights(kernel, bias);
      const quantized = quantizeWeights(specs, data, 'float16');
      const restored = decoded(quantized.specs, quantized.data);
      // Normal halves (|w| ≥ 2⁻¹⁴) round to 11 significant bits: |error| ≤ 2⁻¹¹ |w|; subnormal ones are
      // spaced 2⁻²⁴ apart, so their absolute error is at most 2⁻²⁵.
      const within = (original: number[], back: number[] | undefined) =>
        original.forEach((value, i) => {
          expect(Math.abs((back?.[i] as number) - value)).toBeLessThanOrEqual(2 ** -11 * Math.abs(value) + 2 ** -25);
        });
      within(kernel, restored['dense/kernel']);
      within(bias, restored['dense/bias']);
      // Values a half holds exactly come back exactly: 0, 0.5, −2, 1024, its largest 65504, its smallest normal 2⁻¹⁴, −1.25.
      expect(restored['dense/bias']?.filter((_, i) => i !== 7 && i !== 9)).toEqual([
        0,
        -0,
        0.5,
        -2,
        1024,
        65504,
        2 ** -14,
        -1.25,
      ]);
      expect(restored['optimizer/iterations']).toEqual([7, -123456789]);
    });

    it('writes IEEE half floats, little-endian', () => {
      const quantized = quantizeWeights(weights([1, -2], [0.5]).specs, weights([1, -2], [0.5]).data, 'float16');
      const view = new DataView(quantized.data);
      // 1 = 0x3c00, −2 = 0xc000, 0.5 = 0x3800 (after the two int32s at bytes 4–11)
      expect([view.getUint16(0, true), view.getUint16(2, true), view.getUint16(12, true)]).toEqual([0x3c00, 0xc000, 0x3800]);
      expect(getFloat16(view, 12, true)).toBe(0.5);
    });
  });

  describe('to uint8', () => {
    it('maps each tensor affinely onto 0…255 with its own scale and minimum', () => {
      // kernel: min −1.5, max 2.25, scale 3.75 / 255 = 1 / 68; q = round((w + 1.5) · 68):
      // −1.5 → 0, 0 → 102, 0.25 → 119, 2.25 → 255, 1 → 170, 0.3 → round(122.4) = 122
      const { specs, data } = weights([-1.5, 0, 0.25, 2.25, 1, 0.3], [0.5, 0.5]);
      const quantized = quantizeWeights(specs, data, 'uint8');
      expect(quantized.data.byteLength).toBe(6 + 2 * 4 + 2);
      expect(Array.from(new Uint8Array(quantized.data, 0, 6))).toEqual([0, 102, 119, 255, 170, 122]);
      const [kernel, counter, bias] = quantized.specs;
      expect(kernel?.quantization?.dtype).toBe('uint8');
      expect(kernel?.quantization?.min).toBe(-1.5);
      expect(kernel?.quantization?.scale).toBeCloseTo(1 / 68, 15);
      expect(counter).toEqual(specs[1]);
      // A constant tensor has no range: scale 1, every q 0, and w = 0 · 1 + 0.5 exactly.
      expect(bias?.quantization).toEqual({ dtype: 'uint8', scale: 1, min: 0.5 });

      const restored = decoded(quantized.specs, quantized.data);
      // 0.3 comes back as 122 / 68 − 1.5 = 0.29411…, off by 0.0059 ≤ scale / 2 = 0.0074
      expect(restored['dense/kernel']?.[5]).toBeCloseTo(122 / 68 - 1.5, 6);
      expect(restored['dense/bias']).toEqual([0.5, 0.5]);
      expect(restored['optimizer/iterations']).toEqual([7, -123456789]);
    });

    it('round-trips through a tfjs loader within scale / 2 of every weight', () => {
      const kernel = spread(1000).map((value, i) => Math.fround(value + 0.01 * (i % 13)));
      const bias = spread(16);
      const { specs, data } = weights(kernel, bias);
      const quantized = quantizeWeights(specs, data, 'uint8');
      expect(quantized.data.byteLength).toBe(1016 + 8);
      const restored = decoded(quantized.specs, quantized.data);
      for (const [name, original] of [
        ['dense/kernel', kernel],
        ['dense/bias', bias],
      ] as const) {
        const spec = quantized.specs.find((entry) => entry.name === name);
        const min = Math.min(...original);
        const scale = (Math.max(...original) - min) / 255;
        expect(spec?.quantization).toEqual({ dtype: 'uint8', scale, min });
        // The loader computes q · scale + min in float32: allow its rounding, 2⁻²³ of the largest magnitude.
        const slack = 2 ** -23 * Math.max(...original.map(Math.abs));
        original.forEach((value, i) => {
          expect(Math.abs((restored[name]?.[i] as number) - value)).toBeLessThanOrEqual(scale / 2 + slack);
        });
      }
    });
  });

  it('keeps weights that are quantized already, and finds the next weight after their 1 or 2 bytes per value', () => {
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'a', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'b', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'c', shape: [2], dtype: 'float32' },
    ];
    // a: q = 0, 1, 4 → −1, −0.5, 1; b: halves 1 (0x3c00) and −2 (0xc000); c: float32 4 and 5
    const data = new Uint8Array([0, 1, 4, 0x00, 0x3c, 0x00, 0xc0, ...new Uint8Array(new Float32Array([4, 5]).buffer)]);
    const quantized = quantizeWeights(specs, data.buffer, 'uint8');
    expect(quantized.specs.slice(0, 2)).toEqual(specs.slice(0, 2));
    expect(quantized.data.byteLength).toBe(3 + 4 + 2);
    expect(decoded(quantized.specs, quantized.data)).toEqual({ a: [-1, -0.5, 1], b: [1, -2], c: [4, 5] });
  });
});
