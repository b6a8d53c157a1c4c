// The spec that packages/testing/README.md shows a plugin author, kept here so that the README's code runs.
// Only the imports of this package's helpers differ: the README takes them from '@distillery/testing'.
import '@tensorflow/tfjs-backend-cpu';
// tf.grad needs every op's gradient registered: @tensorflow/tfjs-layers registers them on import, tfjs-core alone does not.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  lossTotal,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { creationContext } from './creationContext.js';
import { distillationContext } from './distillationContext.js';
import { strategyLoss } from './strategyLoss.js';

// The plugin under test, which would live in its own files: logit matching (Ba & Caruana 2014), L = mean (z_s − z_t)².
const key = 'example.logit-matching';
const optionsSchema = z.strictObject({ teacher: z.string().optional() });
const logitMatchingFactory: StrategyFactory = {
  key,
  description: 'mean squared difference of student and teacher logits',
  create(options, context): DistillationStrategy {
    const { teacher: requested } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, key, context);
    return {
      key,
      loss: (batch) =>
        tf.mean(tf.squaredDifference(batch.student.logits, findTeacherOutputs(batch, teacher, key).logits)) as tf.Scalar,
    };
  },
};

/** ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h for every entry i of x: a gradient that uses no gradient code. */
function centralDifferences(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): number[] {
  const values = x.dataSync();
  const at = (i: number, delta: number) =>
    tf.tidy(() => {
      const moved = Float32Array.from(values);
      moved[i] = (moved[i] as number) + delta;
      return f(tf.tensor(moved, x.shape)).dataSync()[0] as number;
    });
  return Array.from(values, (_, i) => (at(i, h) - at(i, -h)) / (2 * h));
}

let student: tf.Tensor2D;
let teacher: tf.Tensor2D;
let labels: tf.Tensor1D;
beforeAll(async () => {
  await tf.setBackend('cpu');
  student = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  teacher = tf.tensor2d([
    [0, 2],
    [1, 5],
  ]);
  labels = tf.tensor1d([1, 1], 'int32');
});
afterAll(() => tf.dispose([student, teacher, labels]));

describe('example.logit-matching', () => {
  const strategy = () => logitMatchingFactory.create({}, creationContext());
  /** The loss as a function of the student's logits alone, for tf.grad and the finite differences. */
  const lossOf = (logits: tf.Tensor) =>
    lossTotal(strategy().loss(distillationContext({ student: logits as tf.Tensor2D, teachers: { teacher }, labels })));

  it('is the mean squared logit difference: ((1−0)² + (2−2)² + (3−1)² + (4−5)²) / 4 = 1.5', async () => {
    expect(await strategyLoss(strategy(), distillationContext({ student, teachers: { teacher }, labels }))).toBeCloseTo(1.5, 6);
  });

  it('has the gradient 2 (z_s − z_t) / 4, which central differences of the loss agree with', () => {
    const gradient = tf.tidy(() => Array.from(tf.grad(lossOf)(student).dataSync()));
    expect(gradient).toEqual([0.5, 0, 1, -0.5]);
    centralDifferences(lossOf, student).forEach((estimate, i) => {
      expect(estimate).toBeCloseTo(gradient[i] as number, 3);
    });
  });

  it('leaves the tensor count as it found it once the gradient it returns is disposed', () => {
    const before = tf.memory().numTensors;
    tf.grad(lossOf)(student).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a misspelt option and a missing teacher with one-line errors that name the field', () => {
    expect(() => logitMatchingFactory.create({ teachr: 'wide' }, creationContext())).toThrow(
      expect.objectContaining({ field: 'strategies[0].options', message: "strategies[0].options: unknown key 'teachr'" }),
    );
    const withoutTeacher = () => logitMatchingFactory.create({}, creationContext({ teacherNames: [] }));
    expect(withoutTeacher).toThrow(DistilleryError);
    expect(withoutTeacher).toThrow(
      expect.objectContaining({
        field: 'strategies[0].options.teacher',
        message: 'strategies[0].options.teacher: example.logit-matching needs a teacher, but the experiment has none',
      }),
    );
  });
});
