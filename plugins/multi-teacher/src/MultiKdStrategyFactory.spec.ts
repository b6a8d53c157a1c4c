import '@tensorflow/tfjs-backend-cpu';
import {
  coreModule,
  type DistillationContext,
  DistilleryError,
  lossTotal,
  type StrategyCreationContext,
  StrategyRegistry,
} from '@distillery/core';
import { kdLoss } from '@distillery/plugin-response';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { Container, ContainerModule } from 'inversify';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { combineTeachers } from './combineTeachers.js';
import { MultiKdStrategyFactory } from './MultiKdStrategyFactory.js';
import { multiTeacherKdLoss } from './multiTeacherKdLoss.js';
import { multiTeacherPlugin } from './multiTeacherPlugin.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/** The spec's experiment: teachers 'wide', 'deep' and 'tall', seed 5, the term second in the config. */
function kdContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({
    path: 'strategies[1].options',
    teacherNames: ['wide', 'deep', 'tall'],
    seed: 5,
    term: 'multi.kd',
    ...overrides,
  });
}
const creation = kdContext();

const factory = new MultiKdStrategyFactory(new TeacherPolicyRegistry([...builtInPolicies.values()]));

let student: tf.Tensor2D;
let wide: tf.Tensor2D;
let deep: tf.Tensor2D;
let tall: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  student = tf.tensor2d([
    [0.5, -1.0, 2.0],
    [1.0, 0.0, -0.5],
  ]);
  wide = tf.tensor2d([
    [2.0, 0.0, 1.0],
    [-1.0, 3.0, 0.0],
  ]);
  deep = tf.tensor2d([
    [0.0, 0.0, 4.0],
    [2.0, 2.0, -2.0],
  ]);
  tall = tf.tensor2d([
    [1.0, 1.0, 1.0],
    [0.0, -3.0, 3.0],
  ]);
  labels = tf.tensor1d([2, 0], 'int32');
});

afterAll(() => {
  tf.dispose([student, wide, deep, tall, labels]);
});

function context(step = 0): DistillationContext {
  return distillationContext({ student, teachers: { wide, deep, tall }, labels, step, stepsPerEpoch: 10 });
}

async function scalar(make: () => tf.Scalar): Promise<number> {
  const loss = make();
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

/** The strategy's loss, checked to be a scalar that leaves nothing else allocated. */
async function lossWith(options: unknown, step = 0, made = factory): Promise<number> {
  return strategyLoss(made.create(options, creation), context(step));
}

function createError(options: unknown, overrides: Parameters<typeof creationContext>[0] = {}): string {
  try {
    factory.create(options, kdContext(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

/** A researcher's policy: all weight on the teacher at index `policyOptions.teacher`. */
const favourOne: TeacherWeightingPolicy = {
  key: 'favour-one',
  description: 'all weight on one teacher, chosen by index',
  kind: 'weights',
  weights: ({ teacherLogits, options }) =>
    tf.tidy(() => {
      const row = teacherLogits.map((_, k) => (k === options.teacher ? 1 : 0));
      return tf.tile(tf.tensor2d([row]), [teacherLogits[0]?.shape[0] ?? 0, 1]) as tf.Tensor2D;
    }),
  validateOptions: ({ teacher }, teacherCount) =>
    Number.isInteger(teacher) && (teacher as number) >= 0 && (teacher as number) < teacherCount
      ? undefined
      : { option: 'teacher', message: `expected a teacher index from 0 to ${teacherCount - 1}` },
};

describe('multi.kd', () => {
  it('is keyed multi.kd', () => {
    expect(factory.key).toBe('multi.kd');
    expect(factory.create({}, creation).key).toBe('multi.kd');
  });

  it('distils from every teacher’s mean probabilities at T = 4 by default', async () => {
    const expected = await scalar(() =>
      multiTeacherKdLoss(student, [wide, deep, tall], labels, { policy: 'mean-probs', temperature: 4 }),
    );
    expect(await lossWith(undefined)).toBeCloseTo(expected, 6);
  });

  it('reads the teachers it names, in that order, with the policy and temperature it gives', async () => {
    const [deepKd, wideKd] = [
      await scalar(() => kdLoss(student, deep, { temperature: 2 })),
      await scalar(() => kdLoss(student, wide, { temperature: 2 })),
    ];
    // weights [3, 1] go with teachers [deep, wide]: 3/4 · KD(deep) + 1/4 · KD(wide).
    const weighted = { teachers: ['deep', 'wide'], policy: 'weighted', weights: [3, 1], temperature: 2 };
    expect(await lossWith(weighted)).toBeCloseTo(0.75 * deepKd + 0.25 * wideKd, 5);
    // One teacher: every policy is plain KD.
    expect(await lossWith({ teachers: ['deep'], policy: 'confidence', temperature: 2 })).toBeCloseTo(deepKd, 5);
  });

  it('draws the random teacher from the experiment’s seed and the batch’s step', async () => {
    for (const step of [0, 1, 2, 3, 4]) {
      const chosen = [wide, deep, tall][Math.floor(seedrandom(`5/${step}`)() * 3)] as tf.Tensor2D;
      const expected = await scalar(() => kdLoss(student, chosen, { temperature: 4 }));
      expect(await lossWith({ policy: 'random' }, step)).toBeCloseTo(expected, 5);
    }
  });

  it('gives the kernel its ensemble: the policy’s combined probabilities over its own teachers', async () => {
    const strategy = factory.create({ teachers: ['wide', 'deep'], policy: 'confidence', temperature: 1 }, creation);
    const [actual, expected] = await expectNoLeaks(async () => {
      const tensors = tf.tidy(() => [
        strategy.combineTeachers?.(context().teachers, labels) as tf.Tensor2D,
        combineTeachers([wide, deep], labels, { policy: 'confidence', temperature: 1 }).target,
      ]);
      const values = await Promise.all(tensors.map((tensor) => tensor.array()));
      tf.dispose(tensors);
      return values as [number[][], number[][]];
    });
    expect(actual).toHaveLength(2);
    actual.forEach((row, b) => {
      row.forEach((value, c) => {
        expect(value).toBeCloseTo((expected[b] as number[])[c] as number, 6);
      });
    });
  });

  it('uses a policy that a researcher’s own ContainerModule binds, by key, through the container', async () => {
    const researcherModule = new ContainerModule(({ bind }) => {
      bind(TeacherWeightingPolicy).toConstantValue(favourOne);
    });
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(coreModule, multiTeacherPlugin, researcherModule);
    const registry = container.get(StrategyRegistry);
    const strategy = registry.create(
      'multi.kd',
      { policy: 'favour-one', policyOptions: { teacher: 2 } },
      creation,
      'strategies[1].key',
    );
    const expected = await scalar(() => kdLoss(student, tall, { temperature: 4 }));
    expect(await expectNoLeaks(() => scalar(() => lossTotal(strategy.loss(context()))))).toBeCloseTo(expected, 5);

    expect(() => registry.create('multi.kd', { policy: 'favour-one', policyOptions: { teacher: 7 } }, creation, 'k')).toThrow(
      'strategies[1].options.policyOptions.teacher: expected a teacher index from 0 to 2',
    );
    expect(() => registry.create('multi.kd', { policy: 'favourite' }, creation, 'k')).toThrow(
      "strategies[1].options.policy: unknown policy 'favourite'; registered: confidence, entropy, favour-one, mean-logits, mean-probs, random, uniform, weighted",
    );
  });

  it('names an unknown policy and lists the registered ones', () => {
    expect(createError({ policy: 'median' })).toBe(
      "strategies[1].options.policy: unknown policy 'median'; registered: confidence, entropy, mean-logits, mean-probs, random, uniform, weighted",
    );
  });

  it('checks the policy’s options against the number of teachers', () => {
    expect(createError({ policy: 'weighted' })).toBe(
      "strategies[1].options.weights: the 'weighted' policy needs weights, one per teacher (3)",
    );
    expect(createError({ policy: 'weighted', teachers: ['wide', 'deep'], weights: [1, 1, 1] })).toBe(
      'strategies[1].options.weights: expected one weight per teacher (2), got 3',
    );
    expect(createError({ policy: 'weighted', weights: [1, -2, 1] })).toBe(
      'strategies[1].options.weights: expected weights ≥ 0, got [1, -2, 1]',
    );
    expect(createError({ policy: 'weighted', weights: [0, 0, 0] })).toBe(
      'strategies[1].options.weights: at least one weight must be positive, got [0, 0, 0]',
    );
    expect(createError({ policy: 'confidence', weights: [1, 2, 3] })).toBe(
      "strategies[1].options.weights: only the 'weighted' policy takes weights; the policy is 'confidence'",
    );
    expect(createError({ policyOptions: { sharpen: 2 } })).toBe(
      "strategies[1].options.policyOptions.sharpen: the 'mean-probs' policy takes no option 'sharpen'",
    );
    expect(createError({ policyOptions: { weights: [1, 1, 1] } })).toBe(
      'strategies[1].options.policyOptions: give weights as options.weights, not inside policyOptions',
    );
  });

  it('names unknown, repeated and missing teachers', () => {
    expect(createError({ teachers: ['wide', 'short'] })).toBe(
      "strategies[1].options.teachers[1]: unknown teacher 'short'; the teachers are: wide, deep, tall",
    );
    expect(createError({ teachers: ['deep', 'deep'] })).toBe("strategies[1].options.teachers[1]: teacher 'deep' is listed twice");
    expect(createError({ teachers: [] })).toBe('strategies[1].options.teachers: expected at least one teacher name');
    expect(createError({}, { teacherNames: [] })).toBe(
      'strategies[1].options.teachers: multi.kd needs teachers, but the experiment has none',
    );
  });

  it('rejects a temperature that is not positive and unknown options', () => {
    expect(createError({ temperature: 0 })).toBe('strategies[1].options.temperature: expected a positive number');
    expect(createError({ temprature: 4 })).toBe("strategies[1].options: unknown key 'temprature'");
    expect(createError({ weights: [1, 'a', 1], policy: 'weighted' })).toBe(
      'strategies[1].options.weights[1]: expected a finite number',
    );
  });
});
