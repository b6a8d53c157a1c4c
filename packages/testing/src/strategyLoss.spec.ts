import '@tensorflow/tfjs-backend-cpu';
import type { DistillationStrategy } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distillationContext } from './distillationContext.js';
import { strategyLoss } from './strategyLoss.js';
import { strategyLossParts } from './strategyLossParts.js';

let logits: tf.Tensor2D;
let labels: tf.Tensor1D;
beforeAll(async () => {
  await tf.setBackend('cpu');
  logits = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  labels = tf.tensor1d([0, 1], 'int32');
});
afterAll(() => tf.dispose([logits, labels]));

describe('distillationContext', () => {
  it('fills the teachers by name and derives the epoch from the step', () => {
    const features = { t_hidden: logits };
    const context = distillationContext({
      student: logits,
      teachers: { t: { logits, features } },
      labels,
      step: 9,
      stepsPerEpoch: 4,
      epochs: 5,
    });
    expect(context.teachers.map((teacher) => teacher.name)).toEqual(['t']);
    expect(context.teachers[0]?.features).toBe(features);
    expect(context.student.features).toEqual({});
    expect([context.epoch, context.epochs, context.step, context.stepsPerEpoch]).toEqual([2, 5, 9, 4]);
    expect(context.inputs).toBe(logits);
  });
});

describe('strategyLoss', () => {
  const meanSquare: DistillationStrategy = {
    key: 'test.mean-square',
    loss: ({ student }) => tf.mean(tf.square(student.logits)) as tf.Scalar,
  };

  it('reads the scalar a strategy returns, freeing its intermediates as the kernel’s tidy does: mean(z²) = (1 + 4 + 9 + 16) / 4', async () => {
    expect(await strategyLoss(meanSquare, distillationContext({ student: logits, labels }))).toBe(7.5);
  });

  it('fails a strategy that keeps a tensor or returns more than a scalar', async () => {
    const kept: tf.Tensor[] = [];
    const leaking: DistillationStrategy = {
      key: 'test.leaking',
      loss: ({ student }) => {
        kept.push(tf.keep(tf.neg(student.logits)));
        return tf.sum(student.logits) as tf.Scalar;
      },
    };
    await expect(strategyLoss(leaking, distillationContext({ student: logits, labels }))).rejects.toThrow(
      /1 tensor\(s\) outlived the call/,
    );
    tf.dispose(kept);
    const vector: DistillationStrategy = { key: 'test.vector', loss: ({ student }) => tf.sum(student.logits, 1) as never };
    await expect(strategyLoss(vector, distillationContext({ student: logits, labels }))).rejects.toThrow(
      'expected test.vector to return a scalar loss, got rank 1',
    );
  });
});

/** Parts: mean z = 2.5 and max z = 4; total = mean + max = 6.5. */
function reporting(parts: readonly string[], returned: (z: tf.Tensor2D) => Record<string, tf.Scalar>): DistillationStrategy {
  return {
    key: 'test.parts',
    lossParts: parts,
    loss: ({ student }) => ({
      total: tf.add(tf.mean(student.logits), tf.max(student.logits)) as tf.Scalar,
      parts: returned(student.logits),
    }),
  };
}

describe('strategyLossParts', () => {
  it('gives the total and each part as numbers, and leaves no tensor behind', async () => {
    const strategy = reporting(['mean', 'max'], (z) => ({ mean: tf.mean(z) as tf.Scalar, max: tf.max(z) as tf.Scalar }));
    const before = tf.memory().numTensors;
    expect(await strategyLossParts(strategy, distillationContext({ student: logits, labels }))).toEqual({
      total: 6.5,
      parts: { mean: 2.5, max: 4 },
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives a strategy without parts its total and no parts', async () => {
    const plain: DistillationStrategy = { key: 'test.plain', loss: ({ student }) => tf.sum(student.logits) as tf.Scalar };
    expect(await strategyLossParts(plain, distillationContext({ student: logits, labels }))).toEqual({ total: 10, parts: {} });
  });

  it('fails when the parts returned are not the ones declared', async () => {
    const strategy = reporting(['mean', 'max'], (z) => ({ mean: tf.mean(z) as tf.Scalar }));
    await expect(strategyLossParts(strategy, distillationContext({ student: logits, labels }))).rejects.toThrow(
      'expected test.parts to return the parts it declares (max, mean), got mean',
    );
  });
});
