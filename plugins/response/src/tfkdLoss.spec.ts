import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TfkdOptions } from './TfkdOptions.js';
import { tfkdLoss } from './tfkdLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const logits = [
  [0.5, -1.0, 2.0, 0.3],
  [1.0, 0.0, -0.5, 0.2],
  [0.2, 0.7, -0.3, 1.1],
];
const labels = [2, 0, 1];

async function tfkd(rows: number[][], classes: number[], options?: TfkdOptions): Promise<number> {
  return expectNoLeaks(() =>
    tf.tidy(() => tfkdLoss(tf.tensor2d(rows), tf.tensor1d(classes, 'int32'), options).dataSync()[0] as number),
  );
}

describe('tfkdLoss', () => {
  it('follows the reference code by hand for two classes: KL(softmax(p_d/τ) ‖ softmax(z)) / C', async () => {
    // a = 0.75, τ = 1, label 0: p_d = [0.75, 0.25], q = softmax([0.75, 0.25]) = [σ(½), 1 − σ(½)] ≈ [0.622459, 0.377541];
    // z = [0, 0] → p = [½, ½]; KL = q₀ ln(2q₀) + q₁ ln(2q₁) ≈ 0.136364 − 0.106064 = 0.030300; / C = 0.015150.
    const q0 = 1 / (1 + Math.exp(-0.5));
    const expected = (q0 * Math.log(2 * q0) + (1 - q0) * Math.log(2 * (1 - q0))) / 2;
    expect(await tfkd([[0, 0]], [0], { correctProbability: 0.75, temperature: 1 })).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(0.01515, 5);
  });

  it('follows the paper form by hand: τ² · KL(softmax(log p_d / τ) ‖ softmax(z/τ))', async () => {
    // a = 0.8, τ = 2: softmax(log [0.8, 0.2] / 2) = [√0.8, √0.2] / (√0.8 + √0.2) = [2/3, 1/3];
    // z = [0, 0] → [½, ½]; KL = 2/3 ln(4/3) + 1/3 ln(2/3) ≈ 0.056633; × τ² = 4 → 0.226532.
    const expected = 4 * ((2 / 3) * Math.log(4 / 3) + (1 / 3) * Math.log(2 / 3));
    expect(await tfkd([[0, 0]], [0], { correctProbability: 0.8, temperature: 2, form: 'paper' })).toBeCloseTo(expected, 5);
  });

  it("matches the authors' PyTorch function, nn.KLDivLoss()(log_softmax(z), softmax(p_d/T)), in float64", async () => {
    // /usr/bin/python3 with torch 1.13, float64, the reference's loss_kd_regularization term on these logits:
    //   T = 20, a = 0.99 → 0.06586094527107324;  T = 4, a = 0.9 → 0.05714286648624151
    // and F.kl_div(log_softmax(z/T), softmax(log(p_d)/T), 'batchmean') · T²:  T = 20 → 2.2570706338778708; T = 4 → 0.6803517743821629
    expect(await tfkd(logits, labels)).toBeCloseTo(0.06586094527107324, 6);
    expect(await tfkd(logits, labels, { temperature: 4, correctProbability: 0.9 })).toBeCloseTo(0.05714286648624151, 6);
    expect(await tfkd(logits, labels, { form: 'paper' })).toBeCloseTo(2.2570706338778708, 4);
    expect(await tfkd(logits, labels, { temperature: 4, correctProbability: 0.9, form: 'paper' })).toBeCloseTo(
      0.6803517743821629,
      5,
    );
  });

  it('is lowest where the student puts its mass where the virtual teacher does', async () => {
    const towards = await tfkd([[0, 3, 0, 0]], [1], { form: 'paper', temperature: 1, correctProbability: 0.9 });
    const away = await tfkd([[3, 0, 0, 0]], [1], { form: 'paper', temperature: 1, correctProbability: 0.9 });
    expect(towards).toBeLessThan(away);
    // Logits log p_d reproduce the virtual teacher exactly: zero.
    const teacherLogits = [0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3].map(Math.log);
    expect(await tfkd([teacherLogits], [0], { form: 'paper', temperature: 1, correctProbability: 0.9 })).toBeCloseTo(0, 6);
  });

  it('has the gradient of a KL: (softmax(z) − q) / (B · C) in the reference form, which finite differences confirm', async () => {
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const labelTensor = tf.tensor1d(labels, 'int32');
        return tf
          .grad((z: tf.Tensor) => tfkdLoss(z as tf.Tensor2D, labelTensor))(tf.tensor2d(logits))
          .arraySync() as number[][];
      }),
    );
    const h = 1e-2;
    for (const [b, row] of logits.entries()) {
      for (const c of row.keys()) {
        const nudged = (delta: number) => logits.map((r, i) => r.map((z, j) => (i === b && j === c ? z + delta : z)));
        const slope = ((await tfkd(nudged(h), labels)) - (await tfkd(nudged(-h), labels))) / (2 * h);
        expect(gradient[b]?.[c]).toBeCloseTo(slope, 4);
      }
    }
  });

  it('refuses a correct-class probability that would not lead, and mismatched labels, in one line', () => {
    const run =
      (options: TfkdOptions, classes = [0]) =>
      () =>
        tf.tidy(() => tfkdLoss(tf.tensor2d([[0, 0, 0, 0]]), tf.tensor1d(classes, 'int32'), options));
    expect(run({ correctProbability: 0.2 })).toThrow(DistilleryError);
    expect(run({ correctProbability: 0.2 })).toThrow(
      'tfkdLoss: correctProbability must lie in (1/C, 1) = (0.25, 1) so the true class leads, got 0.2',
    );
    expect(run({ temperature: 0 })).toThrow('tfkdLoss: temperature must be a finite positive number, got 0');
    expect(run({}, [0, 1])).toThrow(
      'tfkdLoss: labels [2] do not match logits [1, 4]; expected one class index per example, shape [1]',
    );
  });
});
