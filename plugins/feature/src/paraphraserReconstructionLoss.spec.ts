import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParaphraserReconstructionLossOptions } from './ParaphraserReconstructionLossOptions.js';
import { paraphraserReconstructionLoss } from './paraphraserReconstructionLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function lossValues(
  reconstruction: number[],
  feature: number[],
  shape: number[],
  options?: ParaphraserReconstructionLossOptions,
): Promise<number[]> {
  return expectNoLeaks(async () => {
    const result = tf.tidy(() =>
      paraphraserReconstructionLoss(tf.tensor(reconstruction, shape), tf.tensor(feature, shape), options),
    );
    const values = Array.from(await result.data());
    result.dispose();
    return values;
  });
}

// Two examples of [1, 1, 2] (B = 2, H = W = 1, C = 2): differences P(x) − x = [1, −3] and [0.5, −0.5].
const reconstruction = [2, -1, 0.5, 3.5];
const feature = [1, 2, 0, 4];

describe('paraphraserReconstructionLoss', () => {
  it('is the mean squared error by default (the paper, RepDistiller), worked by hand', async () => {
    // Squares 1, 9, 0.25, 0.25: mean 10.5/4 = 2.625; per example (1 + 9)/2 = 5 and 0.5/2 = 0.25.
    expect((await lossValues(reconstruction, feature, [2, 1, 1, 2]))[0]).toBeCloseTo(2.625, 6);
    const perExample = await lossValues(reconstruction, feature, [2, 1, 1, 2], { reduction: 'none' });
    expect(perExample).toHaveLength(2);
    expect(perExample[0]).toBeCloseTo(5, 6);
    expect(perExample[1]).toBeCloseTo(0.25, 6);
  });

  it("is the mean absolute error at p = 1 (the authors' nn.L1Loss), worked by hand", async () => {
    // |·| = 1, 3, 0.5, 0.5: mean 5/4 = 1.25; per example 2 and 0.5.
    expect((await lossValues(reconstruction, feature, [2, 1, 1, 2], { p: 1 }))[0]).toBeCloseTo(1.25, 6);
    const perExample = await lossValues(reconstruction, feature, [2, 1, 1, 2], { p: 1, reduction: 'none' });
    expect(perExample[0]).toBeCloseTo(2, 6);
    expect(perExample[1]).toBeCloseTo(0.5, 6);
  });

  it('has the gradient 2(P(x) − x)/N at p = 2 and sign(P(x) − x)/N at p = 1', async () => {
    for (const p of [1, 2] as const) {
      const gradient = await expectNoLeaks(async () => {
        const grads = tf.tidy(() => {
          const target = tf.tensor(feature, [2, 1, 1, 2]);
          return tf.grad((x: tf.Tensor) => paraphraserReconstructionLoss(x, target, { p }))(
            tf.tensor(reconstruction, [2, 1, 1, 2]),
          );
        });
        const values = Array.from(await grads.data());
        grads.dispose();
        return values;
      });
      // N = 4. p = 2: 2 · [1, −3, 0.5, −0.5]/4; p = 1: [1, −1, 1, −1]/4.
      const expected = p === 2 ? [0.5, -1.5, 0.25, -0.25] : [0.25, -0.25, 0.25, -0.25];
      expected.forEach((value, i) => {
        expect(gradient[i]).toBeCloseTo(value, 6);
      });
    }
  });

  it('refuses different shapes and bad options in one line', () => {
    const before = tf.memory().numTensors;
    const a = tf.ones([2, 4, 4, 3]);
    const b = tf.ones([2, 4, 4, 2]);
    expect(() => paraphraserReconstructionLoss(a, b)).toThrow(DistilleryError);
    expect(() => paraphraserReconstructionLoss(a, b)).toThrow(
      'paraphraserReconstructionLoss: reconstruction [2, 4, 4, 3] and feature [2, 4, 4, 2] differ in shape',
    );
    expect(() => paraphraserReconstructionLoss(a, a, { p: 0 as 1 })).toThrow(
      'paraphraserReconstructionLoss: p must be 1 or 2, got 0',
    );
    expect(() => paraphraserReconstructionLoss(a, a, { reduction: 'sum' as 'mean' })).toThrow(
      "paraphraserReconstructionLoss: reduction must be 'mean' or 'none', got 'sum'",
    );
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
