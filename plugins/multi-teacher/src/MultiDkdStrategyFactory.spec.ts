import '@tensorflow/tfjs-backend-cpu';
import { type DistillationContext, DistilleryError, lossTotal } from '@distillery/core';
import { dkdLoss, dkdStrategyFactory, dkdTerms } from '@distillery/plugin-response';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { MultiDkdStrategyFactory } from './MultiDkdStrategyFactory.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';

const factory = new MultiDkdStrategyFactory(new TeacherPolicyRegistry([...builtInPolicies.values()]));

/** The spec's experiment: teachers 'wide' and 'deep', the term second in the config. */
function dkdCreation(overrides: Parameters<typeof creationContext>[0] = {}) {
  return creationContext({ path: 'strategies[1].options', teacherNames: ['wide', 'deep'], term: 'multi.dkd', ...overrides });
}
const creation = dkdCreation();

const ln = Math.log;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

let student: tf.Tensor2D;
let wide: tf.Tensor2D;
let deep: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Three examples of three classes, labels [0, 1, 2]. softmax(wide) has p_y = 3/4 on example 0 and 1/4 on examples
  // 1 and 2; softmax(deep) the other way round (1/4, then 3/4, 3/4). The non-target classes differ so NCKD does too.
  student = tf.tensor2d([
    [0.5, -1.0, 2.0],
    [1.0, 0.0, -0.5],
    [-0.3, 1.7, 0.4],
  ]);
  wide = tf.tensor2d([
    [ln(6), 0, 0], // [6, 1, 1] / 8
    [ln(5), ln(2), 0], // [5, 2, 1] / 8
    [ln(3), ln(3), ln(2)], // [3, 3, 2] / 8
  ]);
  deep = tf.tensor2d([
    [ln(2), 0, ln(5)], // [2, 1, 5] / 8
    [0, ln(6), 0], // [1, 6, 1] / 8
    [0, 0, ln(6)], // [1, 1, 6] / 8
  ]);
  labels = tf.tensor1d([0, 1, 2], 'int32');
});

afterAll(() => {
  tf.dispose([student, wide, deep, labels]);
});

/** The batch at the start of `epoch` (4 steps an epoch), with both teachers, or those named. */
function contextAt(epoch: number, teachers: Record<string, tf.Tensor2D> = { wide, deep }): DistillationContext {
  return distillationContext({ student, teachers, labels, step: epoch * 4, epochs: 100, stepsPerEpoch: 4 });
}

async function multiLoss(options: unknown, epoch = 0, context = contextAt(epoch)): Promise<number> {
  return strategyLoss(factory.create(options, creation), context);
}

/** dkdLoss of the student against one teacher, as a number. */
function dkdValue(teacher: tf.Tensor2D, options: { alpha: number; beta: number; temperature: number; standardize?: boolean }) {
  return expectNoLeaks(() => tf.tidy(() => dkdLoss(student, teacher, labels, options).dataSync()[0] as number));
}

/** dkdTerms with reduction 'none' against one teacher, as arrays. */
function termsPerExample(teacher: tf.Tensor2D, temperature: number) {
  return expectNoLeaks(() =>
    tf.tidy(() => {
      const { tckd, nckd } = dkdTerms(student, teacher, labels, { temperature, reduction: 'none' });
      return { tckd: [...tckd.dataSync()], nckd: [...nckd.dataSync()] };
    }),
  );
}

function createError(options: unknown, overrides: Parameters<typeof creationContext>[0] = {}): string {
  try {
    factory.create(options, dkdCreation(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

describe('MultiDkdStrategyFactory', () => {
  it('is keyed multi.dkd, declares its options with their defaults, and cites DKD and CA-MKD', () => {
    expect(factory.key).toBe('multi.dkd');
    expect(factory.create({}, creation).key).toBe('multi.dkd');
    expect(factory.optionsSchema.parse({})).toEqual({
      policy: 'uniform',
      temperature: 4,
      alpha: 1,
      beta: 8,
      warmupEpochs: 20,
      standardize: false,
    });
    expect(factory.optionsSchema.shape.temperature.description).toContain('DKD');
    expect(factory.paper).toContain('Decoupled Knowledge Distillation');
    expect(factory.paper).toContain('Confidence-Aware Multi-Teacher Knowledge Distillation');
  });

  it('equals response.dkd with one teacher, under every built-in policy, at every epoch', async () => {
    const oneTeacher = dkdCreation({ teacherNames: ['wide'] });
    const cases = [
      { options: {}, epochs: [0, 9, 19, 50] },
      { options: { alpha: 2, beta: 0.5, temperature: 3, warmupEpochs: 4 }, epochs: [1, 3] },
      { options: { temperature: 2, warmupEpochs: 0, standardize: true }, epochs: [0] },
    ];
    for (const { options, epochs } of cases) {
      for (const epoch of epochs) {
        const context = contextAt(epoch, { wide });
        const single = await strategyLoss(dkdStrategyFactory.create(options, oneTeacher), context);
        for (const policy of builtInPolicies.keys()) {
          const selection = policy === 'weighted' ? { policy, weights: [2] } : { policy };
          const multi = await strategyLoss(factory.create({ ...options, ...selection }, oneTeacher), context);
          expect(multi, `${policy} at epoch ${epoch} with ${JSON.stringify(options)}`).toBeCloseTo(single, 6);
        }
      }
    }
  });

  it('weighs whole teachers under weighted [3, 1]: ¾ · DKD(wide) + ¼ · DKD(deep)', async () => {
    const options = { alpha: 1.5, beta: 4, temperature: 3 };
    const [wideDkd, deepDkd] = [await dkdValue(wide, options), await dkdValue(deep, options)];
    const loss = await multiLoss({ ...options, warmupEpochs: 0, policy: 'weighted', weights: [3, 1] });
    expect(loss).toBeCloseTo(0.75 * wideDkd + 0.25 * deepDkd, 6);
    // `teachers` picks the order weights refer to.
    const swapped = await multiLoss({
      ...options,
      warmupEpochs: 0,
      teachers: ['deep', 'wide'],
      policy: 'weighted',
      weights: [3, 1],
    });
    expect(swapped).toBeCloseTo(0.75 * deepDkd + 0.25 * wideDkd, 6);
  });

  it('gives ¾ of the hand-worked DKD when the other teacher, weighted ¼, agrees with the student', async () => {
    // dkdLoss.spec's worked example, T = 2, labels [0, 2]: TCKD = 2 (ln(5/4) + ln(5/6)/3 + 2/3 ln(10/9)) ≈ 0.46522,
    // NCKD = ln(3/2). The second teacher is the student itself, so its TCKD and NCKD are 0; α = 1, β = 8:
    //   loss = ¾ · (TCKD + 8 · NCKD) + ¼ · 0
    const tckd = 2 * (ln(5 / 4) + ln(5 / 6) / 3 + (2 / 3) * ln(10 / 9));
    const expected = 0.75 * (tckd + 8 * ln(3 / 2));
    const handStudent = tf.tensor2d([
      [0, 2 * ln(3), 0],
      [2 * ln(2), 0, 2 * ln(2)],
    ]);
    const handTeacher = tf.tensor2d([
      [2 * ln(2), 0, 0],
      [0, 0, 0],
    ]);
    const handLabels = tf.tensor1d([0, 2], 'int32');
    const context = distillationContext({
      student: handStudent,
      teachers: { wide: handTeacher, deep: handStudent },
      labels: handLabels,
    });
    const loss = await multiLoss({ temperature: 2, warmupEpochs: 0, policy: 'weighted', weights: [3, 1] }, 0, context);
    tf.dispose([handStudent, handTeacher, handLabels]);
    expect(loss).toBeCloseTo(expected, 5);
  });

  it('weighs per example under confidence: each teacher’s DKD counts ¾ where it is right, ¼ where it is wrong', async () => {
    // CA-MKD with K = 2: CE = −ln(3/4) = ln(4/3) for the teacher with p_y = 3/4, ln 4 for the one with 1/4;
    // exp(CE) = 4/3 and 4, so the softmax over the teachers is 1/4 and 3/4, and w = 1 − that: 3/4 and 1/4.
    // Wide is right on example 0, deep on examples 1 and 2.
    const wideWeights = [0.75, 0.25, 0.25];
    const deepWeights = [0.25, 0.75, 0.75];
    const [alpha, beta, temperature] = [2, 3, 4];
    const [wideTerms, deepTerms] = [await termsPerExample(wide, temperature), await termsPerExample(deep, temperature)];
    const perExample = (terms: { tckd: number[]; nckd: number[] }, b: number) =>
      alpha * (terms.tckd[b] as number) + beta * (terms.nckd[b] as number);
    const expected = mean(
      [0, 1, 2].map(
        (b) => (wideWeights[b] as number) * perExample(wideTerms, b) + (deepWeights[b] as number) * perExample(deepTerms, b),
      ),
    );
    const loss = await multiLoss({ policy: 'confidence', alpha, beta, temperature, warmupEpochs: 0 });
    expect(loss).toBeCloseTo(expected, 5);
    // Per-example weighting is not whole-teacher weighting: the uniform average differs.
    expect(await multiLoss({ alpha, beta, temperature, warmupEpochs: 0 })).not.toBeCloseTo(expected, 3);
  });

  it('treats a target-combining policy as its weights: mean-probs gives w = 1/K, as uniform does', async () => {
    const uniform = await multiLoss({ warmupEpochs: 0 });
    const options = { alpha: 1, beta: 8, temperature: 4 };
    expect(uniform).toBeCloseTo(((await dkdValue(wide, options)) + (await dkdValue(deep, options))) / 2, 6);
    expect(await multiLoss({ warmupEpochs: 0, policy: 'mean-probs' })).toBeCloseTo(uniform, 6);
    expect(await multiLoss({ warmupEpochs: 0, policy: 'mean-logits' })).toBeCloseTo(uniform, 6);
  });

  it('warms up as response.dkd: ¼ of the full loss at epoch 0 of a 4-epoch warm-up, ½ at epoch 1, all from epoch 3', async () => {
    const full = await multiLoss({ policy: 'confidence', warmupEpochs: 0 });
    expect(await multiLoss({ policy: 'confidence', warmupEpochs: 4 }, 0)).toBeCloseTo(full / 4, 6);
    expect(await multiLoss({ policy: 'confidence', warmupEpochs: 4 }, 1)).toBeCloseTo(full / 2, 6);
    expect(await multiLoss({ policy: 'confidence', warmupEpochs: 4 }, 3)).toBeCloseTo(full, 6);
    expect(await multiLoss({ policy: 'confidence', warmupEpochs: 4 }, 40)).toBeCloseTo(full, 6);
    // The default 20-epoch warm-up: 1/20 at epoch 0.
    expect(await multiLoss({ policy: 'confidence' }, 0)).toBeCloseTo(full / 20, 6);
  });

  it('reports the policy-weighted TCKD and NCKD as its parts, before α, β and the warm-up, as response.dkd does', async () => {
    const options = { policy: 'weighted', weights: [3, 1], alpha: 2, beta: 0.5, temperature: 3, warmupEpochs: 4 };
    const strategy = factory.create(options, creation);
    expect(strategy.lossParts).toEqual(['tckd', 'nckd']);
    const reported = await strategyLossParts(strategy, contextAt(1));
    const [wideTerms, deepTerms] = [await termsPerExample(wide, 3), await termsPerExample(deep, 3)];
    const tckd = 0.75 * mean(wideTerms.tckd) + 0.25 * mean(deepTerms.tckd);
    const nckd = 0.75 * mean(wideTerms.nckd) + 0.25 * mean(deepTerms.nckd);
    expect(reported.parts.tckd).toBeCloseTo(tckd, 6);
    expect(reported.parts.nckd).toBeCloseTo(nckd, 6);
    // Epoch 1 of a 4-epoch warm-up: (2 · TCKD + 0.5 · NCKD) / 2.
    expect(reported.total).toBeCloseTo((2 * tckd + 0.5 * nckd) / 2, 6);
    expect(tckd).toBeGreaterThan(0);
    expect(nckd).toBeGreaterThan(0);
  });

  it('has the gradient of response.dkd with one teacher, finite, and leaves no tensor behind', async () => {
    const options = { alpha: 1, beta: 8, temperature: 4, warmupEpochs: 4 };
    const oneTeacher = dkdCreation({ teacherNames: ['wide'] });
    const gradientOf = (strategyOptions: object, make: typeof factory.create) =>
      expectNoLeaks(() =>
        tf.tidy(() => {
          const strategy = make(strategyOptions, oneTeacher);
          const grad = tf.grad((logits: tf.Tensor) =>
            lossTotal(
              strategy.loss(
                distillationContext({ student: logits as tf.Tensor2D, teachers: { wide }, labels, step: 4, stepsPerEpoch: 4 }),
              ),
            ),
          )(student);
          return [...grad.dataSync()];
        }),
      );
    const multi = await gradientOf({ ...options, policy: 'confidence' }, (o, c) => factory.create(o, c));
    const single = await gradientOf(options, (o, c) => dkdStrategyFactory.create(o, c));
    expect(multi).toHaveLength(9);
    multi.forEach((value, i) => {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeCloseTo(single[i] as number, 6);
    });
    expect(multi.some((value) => Math.abs(value) > 1e-3)).toBe(true);
  });

  it('has the gradient of central finite differences with two teachers under confidence', async () => {
    // float32: h = 1e-2, compared to 3 decimals.
    const strategy = factory.create({ policy: 'confidence', temperature: 2, warmupEpochs: 0 }, creation);
    const lossAt = (logits: tf.Tensor2D) =>
      lossTotal(strategy.loss(distillationContext({ student: logits, teachers: { wide, deep }, labels })));
    const { analytic, numeric } = await expectNoLeaks(() =>
      tf.tidy(() => {
        const values = student.arraySync();
        const h = 1e-2;
        const shifted = (b: number, c: number, by: number) =>
          lossAt(
            tf.tensor2d(values.map((row, i) => row.map((v, j) => (i === b && j === c ? v + by : v)))),
          ).dataSync()[0] as number;
        const numericGrad = values.flatMap((row, b) => row.map((_, c) => (shifted(b, c, h) - shifted(b, c, -h)) / (2 * h)));
        return {
          analytic: [
            ...tf
              .grad((logits: tf.Tensor) => lossAt(logits as tf.Tensor2D))(student)
              .dataSync(),
          ],
          numeric: numericGrad,
        };
      }),
    );
    for (const [i, value] of analytic.entries()) expect(value).toBeCloseTo(numeric[i] as number, 3);
  });

  it('rejects bad options in one line, naming the option', () => {
    expect(createError({ alpha: -1 })).toBe('strategies[1].options.alpha: expected a number ≥ 0');
    expect(createError({ beta: 'eight' })).toBe('strategies[1].options.beta: expected a number ≥ 0');
    expect(createError({ warmupEpochs: 2.5 })).toBe('strategies[1].options.warmupEpochs: expected a whole number of epochs ≥ 0');
    expect(createError({ warmupEpochs: -1 })).toBe('strategies[1].options.warmupEpochs: expected a whole number of epochs ≥ 0');
    expect(createError({ standardize: 'yes' })).toBe('strategies[1].options.standardize: expected true or false');
    expect(createError({ temperature: 0 })).toBe('strategies[1].options.temperature: expected a positive number');
    expect(createError({ gamma: 1 })).toBe("strategies[1].options: unknown key 'gamma'");
    expect(createError({ policy: 'median' })).toBe(
      "strategies[1].options.policy: unknown policy 'median'; registered: confidence, entropy, mean-logits, mean-probs, random, uniform, weighted",
    );
    expect(createError({ policy: 'weighted', weights: [1, 2, 3] })).toBe(
      'strategies[1].options.weights: expected one weight per teacher (2), got 3',
    );
  });

  it('names unknown, repeated and missing teachers', () => {
    expect(createError({ teachers: ['wide', 'short'] })).toBe(
      "strategies[1].options.teachers[1]: unknown teacher 'short'; the teachers are: wide, deep",
    );
    expect(createError({ teachers: ['deep', 'deep'] })).toBe("strategies[1].options.teachers[1]: teacher 'deep' is listed twice");
    expect(createError({ teachers: [] })).toBe('strategies[1].options.teachers: expected at least one teacher name');
    expect(createError({}, { teacherNames: [] })).toBe(
      'strategies[1].options.teachers: multi.dkd needs teachers, but the experiment has none',
    );
  });
});
