import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctkdLoss } from './ctkdLoss.js';
import { kdLoss } from './kdLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const student = [
  [0.5, -1.0, 2.0],
  [1.0, 0.0, -0.5],
];
const teacher = [
  [2.0, 0.0, 1.0],
  [-1.0, 3.0, 0.0],
];

/** Float64 τ² · KL(softmax(t/τ) ‖ softmax(s/τ)) of one example. */
function klAt(s: number[], t: number[], tau: number): number {
  const logSoftmax = (row: number[]) => {
    const scaled = row.map((z) => z / tau);
    const max = Math.max(...scaled);
    const log = Math.log(scaled.reduce((sum, z) => sum + Math.exp(z - max), 0)) + max;
    return scaled.map((z) => z - log);
  };
  const [ls, lt] = [logSoftmax(s), logSoftmax(t)];
  return tau * tau * lt.reduce((sum, l, c) => sum + Math.exp(l) * (l - (ls[c] as number)), 0);
}

async function lossAt(temperatures: number[] | number): Promise<number> {
  return expectNoLeaks(() =>
    tf.tidy(() => {
      const tau = Array.isArray(temperatures) ? tf.tensor1d(temperatures) : tf.scalar(temperatures);
      return ctkdLoss(tf.tensor2d(student), tf.tensor2d(teacher), tau).dataSync()[0] as number;
    }),
  );
}

describe('ctkdLoss', () => {
  it('equals kdLoss at the same temperature when τ is one scalar', async () => {
    const expected = tf.tidy(
      () => kdLoss(tf.tensor2d(student), tf.tensor2d(teacher), { temperature: 3 }).dataSync()[0] as number,
    );
    expect(await lossAt(3)).toBeCloseTo(expected, 6);
    expect(
      await expectNoLeaks(() =>
        tf.tidy(() => ctkdLoss(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d([3])).dataSync()[0]),
      ),
    ).toBeCloseTo(expected, 6);
  });

  it('scales each example by its own τ_b² at its own τ_b', async () => {
    const expected =
      (klAt(student[0] as number[], teacher[0] as number[], 2) + klAt(student[1] as number[], teacher[1] as number[], 5)) / 2;
    expect(await lossAt([2, 5])).toBeCloseTo(expected, 5);
  });

  it('is worked by hand for two classes at τ = 1', async () => {
    // p_t = softmax([ln 2, 0]) = [2/3, 1/3], p_s = softmax([0, 0]) = [½, ½]:
    // KL = 2/3 · ln((2/3)/(1/2)) + 1/3 · ln((1/3)/(1/2)) = 2/3 · ln(4/3) + 1/3 · ln(2/3) ≈ 0.191788 − 0.135155 = 0.056633.
    const value = await expectNoLeaks(() =>
      tf.tidy(() => ctkdLoss(tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(2), 0]]), tf.scalar(1)).dataSync()[0] as number),
    );
    expect(value).toBeCloseTo((2 / 3) * Math.log(4 / 3) + (1 / 3) * Math.log(2 / 3), 6);
  });

  it('has a gradient with respect to τ that matches finite differences', async () => {
    const temperatures = [2, 5];
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const loss = (tau: tf.Tensor) => ctkdLoss(tf.tensor2d(student), tf.tensor2d(teacher), tau);
        return Array.from(tf.grad(loss)(tf.tensor1d(temperatures)).dataSync());
      }),
    );
    const h = 1e-4;
    temperatures.forEach((tau, b) => {
      const at = (t: number) => klAt(student[b] as number[], teacher[b] as number[], t) / 2;
      expect(gradient[b]).toBeCloseTo((at(tau + h) - at(tau - h)) / (2 * h), 4);
    });
  });

  it('refuses temperatures of another shape in one line', () => {
    const run = () => tf.tidy(() => ctkdLoss(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d([1, 2, 3])));
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow('ctkdLoss: expected temperatures of shape [], [1] or [2] (one per example), got [3]');
  });
});
