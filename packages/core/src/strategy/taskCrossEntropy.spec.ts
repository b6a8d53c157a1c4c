import { lossTotal } from './lossTotal.js';
import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { DistillationContext } from './DistillationContext.js';
import type { DistillationStrategy } from './DistillationStrategy.js';
import { taskCrossEntropy } from './taskCrossEntropy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const creation = {
  path: 'strategies[0].options',
  teacherNames: [],
  studentName: 'student',
  seed: 0,
  variableName: (local: string) => local,
  teacherLayerWeights: () => [],
};

/** The strategy's loss on these logits and labels, as a plain number; every tensor is freed. */
function lossOf(strategy: DistillationStrategy, logits: number[][], labels: number[]): number {
  return tf.tidy(() => {
    const context: DistillationContext = {
      inputs: tf.zeros([labels.length, 1]),
      labels: tf.tensor1d(labels, 'int32'),
      student: { logits: tf.tensor2d(logits), features: {} },
      teachers: [],
      epoch: 0,
      epochs: 1,
      step: 0,
      stepsPerEpoch: 1,
    };
    return lossTotal(strategy.loss(context)).dataSync()[0] as number;
  });
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('taskCrossEntropy', () => {
  it('has the key task.ce and creates a strategy with that key', () => {
    expect(taskCrossEntropy.key).toBe('task.ce');
    expect(taskCrossEntropy.create(undefined, creation).key).toBe('task.ce');
  });

  it('is ln 2 for equal logits of two classes', async () => {
    const strategy = taskCrossEntropy.create({}, creation);
    // softmax([0, 0]) = [½, ½] → −ln ½ = ln 2
    const loss = await expectNoLeaks(() => lossOf(strategy, [[0, 0]], [0]));
    expect(loss).toBeCloseTo(Math.LN2, 6);
  });

  it('is −log of the softmax probability of the true class', async () => {
    const strategy = taskCrossEntropy.create({}, creation);
    // softmax([ln 3, 0]) = [3/4, 1/4]: label 0 → −ln(3/4) = ln(4/3); label 1 → −ln(1/4) = ln 4
    expect(await expectNoLeaks(() => lossOf(strategy, [[Math.log(3), 0]], [0]))).toBeCloseTo(Math.log(4 / 3), 6);
    expect(await expectNoLeaks(() => lossOf(strategy, [[Math.log(3), 0]], [1]))).toBeCloseTo(Math.log(4), 6);
  });

  it('averages over the batch', async () => {
    const strategy = taskCrossEntropy.create({}, creation);
    // (ln 2 + ln(4/3)) / 2 = ln(8/3) / 2
    const loss = await expectNoLeaks(() =>
      lossOf(
        strategy,
        [
          [0, 0],
          [Math.log(3), 0],
        ],
        [0, 0],
      ),
    );
    expect(loss).toBeCloseTo(Math.log(8 / 3) / 2, 6);
  });

  it('smooths the one-hot targets to onehot · (1 − ε) + ε / C', async () => {
    const strategy = taskCrossEntropy.create({ labelSmoothing: 0.2 }, creation);
    // C = 2, ε = 0.2: target for label 0 = [0.8 + 0.1, 0.1] = [0.9, 0.1];
    // log softmax([ln 3, 0]) = [ln(3/4), ln(1/4)] → CE = 0.9 · ln(4/3) + 0.1 · ln 4 ≈ 0.258914 + 0.138629 = 0.397543
    const loss = await expectNoLeaks(() => lossOf(strategy, [[Math.log(3), 0]], [0]));
    expect(loss).toBeCloseTo(0.9 * Math.log(4 / 3) + 0.1 * Math.log(4), 6);
  });

  it('has the gradient (softmax − onehot) / B with respect to the logits', async () => {
    const strategy = taskCrossEntropy.create({}, creation);
    // B = 2; row 0: softmax [½, ½] − [1, 0] = [−½, ½]; row 1: [3/4, 1/4] − [0, 1] = [3/4, −3/4]; divided by 2
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const labels = tf.tensor1d([0, 1], 'int32');
        const loss = (logits: tf.Tensor) =>
          lossTotal(
            strategy.loss({
              inputs: tf.zeros([2, 1]),
              labels,
              student: { logits: logits as tf.Tensor2D, features: {} },
              teachers: [],
              epoch: 0,
              epochs: 1,
              step: 0,
              stepsPerEpoch: 1,
            }),
          );
        return Array.from(
          tf
            .grad(loss)(
              tf.tensor2d([
                [0, 0],
                [Math.log(3), 0],
              ]),
            )
            .dataSync(),
        );
      }),
    );
    const expected = [-0.25, 0.25, 0.375, -0.375];
    gradient.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 6);
    });
  });

  it('smooths three classes to [ε/3, 1 − ε + ε/3, ε/3] (hand example, ε = 0.3)', async () => {
    const strategy = taskCrossEntropy.create({ labelSmoothing: 0.3 }, creation);
    // softmax([0, ln 2, ln 5]) = [1/8, 2/8, 5/8]; label 1 → target [0.1, 0.8, 0.1];
    // CE = 0.1 · ln 8 + 0.8 · ln 4 + 0.1 · ln(8/5) ≈ 0.207944 + 1.109035 + 0.047000 = 1.363979
    const loss = await expectNoLeaks(() => lossOf(strategy, [[0, Math.log(2), Math.log(5)]], [1]));
    expect(loss).toBeCloseTo(0.1 * Math.log(8) + 0.8 * Math.log(4) + 0.1 * Math.log(8 / 5), 6);
    expect(loss).toBeCloseTo(1.363979, 5);
  });

  it('has the gradient (softmax − smoothed target) / B, which finite differences confirm', async () => {
    const strategy = taskCrossEntropy.create({ labelSmoothing: 0.3 }, creation);
    const logits = [
      [0, Math.log(2), Math.log(5)],
      [0.7, -1.2, 0.4],
    ];
    const labels = [1, 2];
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const labelTensor = tf.tensor1d(labels, 'int32');
        const loss = (z: tf.Tensor) =>
          lossTotal(
            strategy.loss({
              inputs: tf.zeros([2, 1]),
              labels: labelTensor,
              student: { logits: z as tf.Tensor2D, features: {} },
              teachers: [],
              epoch: 0,
              epochs: 1,
              step: 0,
              stepsPerEpoch: 1,
            }),
          );
        return tf.grad(loss)(tf.tensor2d(logits)).arraySync() as number[][];
      }),
    );
    // Row 0 by hand: ([1/8, 2/8, 5/8] − [0.1, 0.8, 0.1]) / 2 = [0.0125, −0.275, 0.2625].
    [0.0125, -0.275, 0.2625].forEach((value, c) => {
      expect(gradient[0]?.[c]).toBeCloseTo(value, 6);
    });
    // Every entry against a central difference (h = 1e-2; float32 losses, so about 3 decimals).
    const h = 1e-2;
    logits.forEach((row, b) => {
      row.forEach((_, c) => {
        const nudged = (delta: number) => logits.map((r, i) => r.map((z, j) => (i === b && j === c ? z + delta : z)));
        const slope = (lossOf(strategy, nudged(h), labels) - lossOf(strategy, nudged(-h), labels)) / (2 * h);
        expect(gradient[b]?.[c]).toBeCloseTo(slope, 3);
      });
    });
  });

  it('rejects labelSmoothing outside [0, 1) with a one-line error naming the field', () => {
    const error = errorOf(() => taskCrossEntropy.create({ labelSmoothing: 1 }, creation));
    expect(error).toBeInstanceOf(DistilleryError);
    // zod's English message for a too_big issue on an exclusive number maximum (zod/v4/locales/en.js)
    expect(error.message).toBe('strategies[0].options.labelSmoothing: Too big: expected number to be <1');
    expect((error as DistilleryError).field).toBe('strategies[0].options.labelSmoothing');
    expect(() => taskCrossEntropy.create({ labelSmoothing: -0.1 }, creation)).toThrow(
      /^strategies\[0\]\.options\.labelSmoothing: /,
    );
    expect(() => taskCrossEntropy.create({ labelSmoothing: 'high' }, creation)).toThrow(
      /^strategies\[0\]\.options\.labelSmoothing: /,
    );
  });

  it('rejects an unknown option key', () => {
    const error = errorOf(() => taskCrossEntropy.create({ temperature: 4 }, creation));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error).toMatchObject({ message: "strategies[0].options: unknown key 'temperature'", field: 'strategies[0].options' });
  });
});
