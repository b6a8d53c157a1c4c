import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mutualLearningLoss } from './mutualLearningLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const softmax = (row: number[]) => {
  const exps = row.map(Math.exp);
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
};
const kl = (p: number[], q: number[]) => p.reduce((sum, pc, c) => sum + pc * Math.log(pc / (q[c] as number)), 0);

describe('mutualLearningLoss', () => {
  it('is KL(p₂ ‖ p₁) + KL(p₁ ‖ p₂) for two models, worked by hand', async () => {
    // p₁ = softmax([ln 3, 0]) = [3/4, 1/4], p₂ = [1/2, 1/2]:
    // KL(p₂ ‖ p₁) = ½ ln(2/3) + ½ ln 2 = ½ ln(4/3); KL(p₁ ‖ p₂) = ¾ ln(3/2) + ¼ ln(1/2).
    const value = await expectNoLeaks(() =>
      tf.tidy(() => mutualLearningLoss([tf.tensor2d([[Math.log(3), 0]]), tf.tensor2d([[0, 0]])]).dataSync()[0] as number),
    );
    expect(value).toBeCloseTo(0.5 * Math.log(4 / 3) + 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), 6);
  });

  it('averages each model’s KL to the others for a cohort of three', async () => {
    const rows = [
      [0.5, -1, 2],
      [1, 0, -0.5],
      [0.2, 0.7, -0.3],
    ];
    const p = rows.map(softmax);
    const expected = [0, 1, 2].reduce((sum, k) => {
      const others = [0, 1, 2].filter((l) => l !== k);
      return sum + others.reduce((s, l) => s + kl(p[l] as number[], p[k] as number[]), 0) / 2;
    }, 0);
    const value = await expectNoLeaks(() =>
      tf.tidy(() => mutualLearningLoss(rows.map((row) => tf.tensor2d([row]))).dataSync()[0] as number),
    );
    expect(value).toBeCloseTo(expected, 5);
  });

  it('gives each model only its own term’s gradient, softmax(z_k) − mean of the others’ p (the others are detached)', async () => {
    const rows = [
      [0.5, -1, 2],
      [1, 0, -0.5],
      [0.2, 0.7, -0.3],
    ];
    const p = rows.map(softmax);
    const gradients = await expectNoLeaks(() =>
      tf.tidy(() => {
        const [a, b, c] = rows.map((row) => tf.tensor2d([row]));
        const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
          mutualLearningLoss([x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D]),
        )([a as tf.Tensor, b as tf.Tensor, c as tf.Tensor]);
        return grads.map((g) => Array.from(g.dataSync()));
      }),
    );
    // ∂/∂z_k of (1/2) Σ_{l≠k} KL(p_l ‖ softmax(z_k)) = softmax(z_k) − (1/2) Σ_{l≠k} p_l, batch of one.
    gradients.forEach((gradient, k) => {
      const others = [0, 1, 2].filter((l) => l !== k);
      gradient.forEach((value, c) => {
        const target = others.reduce((s, l) => s + ((p[l] as number[])[c] as number), 0) / 2;
        expect(value).toBeCloseTo(((p[k] as number[])[c] as number) - target, 5);
      });
    });
  });

  it('refuses a cohort of one, in one line', () => {
    expect(() => mutualLearningLoss([tf.zeros([1, 2]) as tf.Tensor2D])).toThrow(DistilleryError);
    expect(() => mutualLearningLoss([])).toThrow('mutualLearningLoss: expected a cohort of at least 2 models, got 0');
  });
});
