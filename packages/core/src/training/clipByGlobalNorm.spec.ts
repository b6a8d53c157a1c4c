import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from './clipByGlobalNorm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Clips inside a tidy and returns the gradients as plain arrays. */
function clipped(gradients: () => tf.NamedTensorMap, maxNorm: number): Record<string, number[]> {
  return tf.tidy(() => {
    const result = clipByGlobalNorm(gradients(), maxNorm);
    return Object.fromEntries(Object.entries(result).map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
  });
}

function expectClose(actual: number[] | undefined, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    expect(actual?.[i]).toBeCloseTo(value, 6);
  });
}

describe('clipByGlobalNorm', () => {
  it('scales gradients whose joint norm exceeds the limit down to it', () => {
    // ‖g‖ = √(3² + 4²) = 5; scale = 1 / 5 → a = 0.6, b = 0.8
    const result = clipped(() => ({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }), 1);
    expectClose(result.a, [0.6]);
    expectClose(result.b, [0.8]);
  });

  it('leaves gradients below the limit unchanged', () => {
    // ‖g‖ = 5 < 10 → scale min(1, 2) = 1
    const result = clipped(() => ({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }), 10);
    expectClose(result.a, [3]);
    expectClose(result.b, [4]);
  });

  it('keeps the direction across tensors of different shapes', () => {
    // ‖g‖ = √(1 + 4 + 4 + 16) = 5; maxNorm 2 → scale 0.4: a = [0.4, 0.8], b = [[0.8], [1.6]]
    const result = clipped(
      () => ({
        a: tf.tensor1d([1, -2]),
        b: tf.tensor2d([[2], [-4]]),
      }),
      2,
    );
    expectClose(result.a, [0.4, -0.8]);
    expectClose(result.b, [0.8, -1.6]);
    // The clipped joint norm is the limit.
    const norm = Math.hypot(...(result.a ?? []), ...(result.b ?? []));
    expect(norm).toBeCloseTo(2, 6);
  });

  it('keeps the shapes of the gradients', () => {
    const shapes = tf.tidy(() => {
      const result = clipByGlobalNorm({ kernel: tf.ones([2, 3]), bias: tf.ones([3]) }, 0.5);
      return [result.kernel?.shape, result.bias?.shape];
    });
    expect(shapes).toEqual([[2, 3], [3]]);
  });

  it('returns an empty map unchanged', () => {
    const empty = {};
    expect(clipByGlobalNorm(empty, 1)).toBe(empty);
  });

  it('leaks nothing when called inside tf.tidy', async () => {
    const a = tf.tensor1d([3]);
    const b = tf.tensor1d([4]);
    await expectNoLeaks(() => {
      tf.tidy(() => {
        clipByGlobalNorm({ a, b }, 1);
      });
    });
    tf.dispose([a, b]);
  });
});
