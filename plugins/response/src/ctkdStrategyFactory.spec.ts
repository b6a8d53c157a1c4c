import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError, lossTotal } from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctkdStrategyFactory } from './ctkdStrategyFactory.js';
import { curriculumLambda } from './curriculumLambda.js';
import { kdLoss } from './kdLoss.js';

const creation = creationContext({ path: 'strategies[1].options', teacherNames: ['wide', 'deep'], term: 'response.ctkd' });
const shapes = { student: {}, teachers: {}, numClasses: 3 };

const studentRows = [
  [0.5, -1.0, 2.0],
  [1.0, 0.0, -0.5],
];
const wideRows = [
  [2.0, 0.0, 1.0],
  [-1.0, 3.0, 0.0],
];
let student: tf.Tensor2D;
let wide: tf.Tensor2D;
let deep: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  student = tf.tensor2d(studentRows);
  wide = tf.tensor2d(wideRows);
  deep = tf.tensor2d([
    [0.0, 0.0, 4.0],
    [2.0, 2.0, -2.0],
  ]);
  labels = tf.tensor1d([2, 0], 'int32');
});

afterAll(() => {
  tf.dispose([student, wide, deep, labels]);
});

/** The kernel's context at a zero-based epoch of a 20-epoch run with one step per epoch. */
const contextAt = (epoch: number, logits: tf.Tensor2D = student) =>
  distillationContext({ student: logits, teachers: { wide, deep }, labels, step: epoch, epochs: 20, stepsPerEpoch: 1 });

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
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** The batch loss as a function of τ shared by both examples, in float64. */
const batchLoss = (tau: number) =>
  (klAt(studentRows[0] as number[], wideRows[0] as number[], tau) +
    klAt(studentRows[1] as number[], wideRows[1] as number[], tau)) /
  2;

describe('ctkdStrategyFactory', () => {
  it('is registered as response.ctkd, declares its defaults and cites Li et al. 2023', () => {
    expect(ctkdStrategyFactory.key).toBe('response.ctkd');
    expect(ctkdStrategyFactory.optionsSchema?.parse({})).toEqual({
      mode: 'global',
      temperature: { min: 1, max: 21 },
      curriculum: { lambdaMin: 0, lambdaMax: 1, epochs: 10 },
      hidden: 256,
    });
    expect(ctkdStrategyFactory.paper).toBe(
      'Li, Li, Yang, Cheng, Cui, Xu, Yang 2023, "Curriculum Temperature for Knowledge Distillation", AAAI',
    );
  });

  it('starts the global temperature at 1 + 20 · sigmoid(1) ≈ 15.62 and reports it as the part temperature', async () => {
    const strategy = ctkdStrategyFactory.create({}, creation);
    strategy.build?.(shapes);
    expect(strategy.lossParts).toEqual(['temperature']);
    expect(strategy.variables?.().map((v) => v.name)).toEqual(['response.ctkd/temperature']);
    const tau = 1 + 20 * sigmoid(1);
    const reported = await strategyLossParts(strategy, contextAt(0));
    expect(reported.parts.temperature).toBeCloseTo(tau, 4);
    const expected = tf.tidy(() => kdLoss(student, wide, { temperature: tau }).dataSync()[0] as number);
    expect(reported.total).toBeCloseTo(expected, 4);
    expect(reported.total).toBeCloseTo(batchLoss(tau), 4);
    strategy.dispose?.();
  });

  it('trains the temperature against the loss: its gradient is −λ(epoch) times the loss’s own slope', async () => {
    const strategy = ctkdStrategyFactory.create({}, creation);
    strategy.build?.(shapes);
    const theta = strategy.variables?.()[0] as tf.Variable;
    for (const epoch of [0, 4, 12]) {
      const gradient = await expectNoLeaks(() =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => lossTotal(strategy.loss(contextAt(epoch))), [theta]);
          return (grads[theta.name] as tf.Tensor).dataSync()[0] as number;
        }),
      );
      // dL/dθ without the reversal, by central differences of the float64 loss through τ(θ) = 1 + 20 σ(θ).
      const h = 1e-4;
      const slope = (batchLoss(1 + 20 * sigmoid(1 + h)) - batchLoss(1 + 20 * sigmoid(1 - h))) / (2 * h);
      const lambda = curriculumLambda(epoch, { lambdaMin: 0, lambdaMax: 1, epochs: 10 });
      expect(gradient).toBeCloseTo(-lambda * slope, 4);
    }
    strategy.dispose?.();
  });

  it('gives the student the plain KD gradient at the current τ, unaffected by the reversal', async () => {
    const strategy = ctkdStrategyFactory.create({}, creation);
    strategy.build?.(shapes);
    const tau = 1 + 20 * sigmoid(1);
    const [fromStrategy, fromKd] = await expectNoLeaks(() =>
      tf.tidy(() => [
        Array.from(
          tf
            .grad((z: tf.Tensor) => lossTotal(strategy.loss(contextAt(6, z as tf.Tensor2D))))(student)
            .dataSync(),
        ),
        Array.from(
          tf
            .grad((z: tf.Tensor) => kdLoss(z as tf.Tensor2D, wide, { temperature: tau }))(student)
            .dataSync(),
        ),
      ]),
    );
    fromStrategy?.forEach((value, i) => {
      expect(value).toBeCloseTo(fromKd?.[i] as number, 5);
    });
    strategy.dispose?.();
  });

  it('predicts one τ per example in instance mode, all at the middle of the range at the start', async () => {
    const strategy = ctkdStrategyFactory.create(
      { mode: 'instance', teacher: 'deep', hidden: 8, temperature: { min: 2, max: 6 } },
      creation,
    );
    strategy.build?.(shapes);
    expect(strategy.variables?.().map((v) => [v.name, v.shape])).toEqual([
      ['response.ctkd/instance/dense1/kernel', [6, 8]],
      ['response.ctkd/instance/dense1/bias', [8]],
      ['response.ctkd/instance/norm/gamma', [8]],
      ['response.ctkd/instance/norm/beta', [8]],
      ['response.ctkd/instance/dense2/kernel', [8, 1]],
      ['response.ctkd/instance/dense2/bias', [1]],
    ]);
    const reported = await strategyLossParts(strategy, contextAt(2));
    // The last layer starts at zero: τ_b = 2 + 4 · sigmoid(0) = 4 for every example.
    expect(reported.parts.temperature).toBeCloseTo(4, 5);
    const expected = tf.tidy(() => kdLoss(student, deep, { temperature: 4 }).dataSync()[0] as number);
    expect(reported.total).toBeCloseTo(expected, 5);
    strategy.dispose?.();
  });

  it('sends the reversed gradient into the instance module: ∂/∂bias = −λ · (max − min) · σ′(0) · Σ_b ∂L/∂τ_b', async () => {
    const strategy = ctkdStrategyFactory.create({ mode: 'instance', hidden: 4 }, creation);
    strategy.build?.(shapes);
    const bias = strategy.variables?.().find((v) => v.name.endsWith('dense2/bias')) as tf.Variable;
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => lossTotal(strategy.loss(contextAt(4))), [bias]);
        return (grads[bias.name] as tf.Tensor).dataSync()[0] as number;
      }),
    );
    // Every τ_b starts at 11; L = (1/2) Σ_b τ_b² KL_b(τ_b), so ∂L/∂τ_b = (1/2) d/dτ [τ² KL_b](11).
    const h = 1e-4;
    const slopes = [0, 1].map(
      (b) =>
        (klAt(studentRows[b] as number[], wideRows[b] as number[], 11 + h) -
          klAt(studentRows[b] as number[], wideRows[b] as number[], 11 - h)) /
        (2 * h) /
        2,
    );
    expect(gradient).toBeCloseTo(-0.5 * 20 * 0.25 * ((slopes[0] as number) + (slopes[1] as number)), 4);
    strategy.dispose?.();
  });

  it('takes gradients for every module weight while the student’s logits are on the tape too (instance mode)', async () => {
    // In training the logits come from the student's variables, so every op between them and the loss has its
    // gradient run, including those behind the module's detached inputs.
    const strategy = ctkdStrategyFactory.create({ mode: 'instance', hidden: 4, topK: 2 }, creation);
    strategy.build?.(shapes);
    const logits = tf.variable(student.clone(), true, 'ctkd-spec/student-logits');
    const norms = await expectNoLeaks(() =>
      tf.tidy(() => {
        const variables = [...(strategy.variables?.() ?? []), logits];
        const { grads } = tf.variableGrads(() => lossTotal(strategy.loss(contextAt(3, logits))), variables);
        return variables.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)).dataSync()[0] as number);
      }),
    );
    expect(norms).toHaveLength(7);
    for (const norm of norms) expect(Number.isFinite(norm)).toBe(true);
    // The last layer and the logits certainly receive a non-zero gradient.
    expect(norms[5]).toBeGreaterThan(0);
    expect(norms[6]).toBeGreaterThan(0);
    logits.dispose();
    strategy.dispose?.();
  });

  it('frees its variables on dispose and leaks nothing over build, loss and dispose', async () => {
    await expectNoLeaks(async () => {
      for (const mode of ['global', 'instance']) {
        const strategy = ctkdStrategyFactory.create({ mode, hidden: 4 }, creation);
        strategy.build?.(shapes);
        await strategyLossParts(strategy, contextAt(1));
        strategy.build?.(shapes);
        strategy.dispose?.();
      }
    });
  });

  it('rejects bad options in one line naming the option', () => {
    const create = (options: unknown) => () => ctkdStrategyFactory.create(options, creation);
    expect(create({ mode: 'local' })).toThrow(DistilleryError);
    expect(create({ mode: 'local' })).toThrow("strategies[1].options.mode: expected 'global' or 'instance'");
    expect(create({ temperature: { min: 5, max: 2 } })).toThrow('strategies[1].options.temperature: expected min < max');
    expect(create({ curriculum: { epochs: 0 } })).toThrow('strategies[1].options.curriculum.epochs: expected a positive integer');
    expect(create({ curriculum: { lambdaMax: -1 } })).toThrow(
      'strategies[1].options.curriculum.lambdaMax: expected a number ≥ 0',
    );
    expect(create({ teacher: 'tall' })).toThrow(
      "strategies[1].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
    const tooMany = ctkdStrategyFactory.create({ mode: 'instance', topK: 5 }, creation);
    expect(() => tooMany.build?.(shapes)).toThrow('strategies[1].options.topK: expected at most the 3 classes, got 5');
  });
});
