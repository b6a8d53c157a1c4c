import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type TapShapes,
} from '@distillery/core';
import { correlationCongruenceLoss, nstLoss, pktLoss, rkdLoss, similarityPreservingLoss } from '@distillery/plugin-relation';
import { creationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { MultiRelationStrategyFactory } from './MultiRelationStrategyFactory.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';

const factory = new MultiRelationStrategyFactory(new TeacherPolicyRegistry([...builtInPolicies.values()]));
const creation = creationContext({ path: 'strategies[1].options', teacherNames: ['wide', 'deep'], term: 'multi.relation' });
const ln3 = Math.log(3);

const shapes: TapShapes = {
  student: { s_pool: [null, 5], s_map: [null, 4, 4, 3] },
  teachers: { wide: { w_pool: [null, 7], w_map: [null, 2, 2, 6] }, deep: { d_pool: [null, 3], d_map: [null, 2, 2, 4] } },
  numClasses: 2,
};

let tensors: Record<string, tf.Tensor>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tensors = {
    labels: tf.tensor1d([0, 1, 1], 'int32'),
    studentLogits: tf.zeros([3, 2]),
    // Wide predicts [3/4, 1/4] and deep [1/4, 3/4] on every example.
    wideLogits: tf.tensor2d([ln3, 0, ln3, 0, ln3, 0], [3, 2]),
    deepLogits: tf.tensor2d([0, ln3, 0, ln3, 0, ln3], [3, 2]),
    s_pool: tf.randomNormal([3, 5], 0, 1, 'float32', 1),
    s_map: tf.randomNormal([3, 4, 4, 3], 0, 1, 'float32', 2),
    w_pool: tf.randomNormal([3, 7], 0, 1, 'float32', 3),
    w_map: tf.randomNormal([3, 2, 2, 6], 0, 1, 'float32', 4),
    d_pool: tf.randomNormal([3, 3], 0, 1, 'float32', 5),
    d_map: tf.randomNormal([3, 2, 2, 4], 0, 1, 'float32', 6),
  };
});

afterAll(() => {
  tf.dispose(Object.values(tensors));
});

const built: DistillationStrategy[] = [];
afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

function buildStrategy(options: unknown): DistillationStrategy {
  const strategy = factory.create(options, creation);
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

function context(): DistillationContext {
  const t = tensors as Record<string, tf.Tensor2D>;
  return {
    inputs: t.studentLogits as tf.Tensor,
    labels: t.labels as unknown as tf.Tensor1D,
    student: { logits: t.studentLogits as tf.Tensor2D, features: { s_pool: t.s_pool as tf.Tensor, s_map: t.s_map as tf.Tensor } },
    teachers: [
      {
        name: 'wide',
        logits: t.wideLogits as tf.Tensor2D,
        features: { w_pool: t.w_pool as tf.Tensor, w_map: t.w_map as tf.Tensor },
      },
      {
        name: 'deep',
        logits: t.deepLogits as tf.Tensor2D,
        features: { d_pool: t.d_pool as tf.Tensor, d_map: t.d_map as tf.Tensor },
      },
    ],
    epoch: 0,
    epochs: 1,
    step: 0,
    stepsPerEpoch: 1,
  };
}

async function lossOf(strategy: DistillationStrategy): Promise<number> {
  return expectNoLeaks(() => tf.tidy(() => lossTotal(strategy.loss(context())).dataSync()[0] as number));
}
const value = (make: () => tf.Tensor) => tf.tidy(() => make().dataSync()[0] as number);

const poolPairs = [
  { teacher: 'wide', student: 's_pool', teacherLayer: 'w_pool' },
  { teacher: 'deep', student: 's_pool', teacherLayer: 'd_pool' },
];
const mapPairs = [
  { teacher: 'wide', student: 's_map', teacherLayer: 'w_map' },
  { teacher: 'deep', student: 's_map', teacherLayer: 'd_map' },
];

describe('MultiRelationStrategyFactory', () => {
  it('is registered as multi.relation and taps every pair’s layers', () => {
    expect(factory.key).toBe('multi.relation');
    expect(buildStrategy({ method: 'rkd', pairs: poolPairs }).taps).toEqual({
      student: ['s_pool'],
      teachers: { wide: ['w_pool'], deep: ['d_pool'] },
    });
  });

  it('averages the teachers’ relation losses under the uniform policy, for every method', async () => {
    const t = tensors;
    const resized = (map: tf.Tensor) => tf.image.resizeBilinear(map as tf.Tensor4D, [2, 2], false, true);
    const expected: Record<string, number> = {
      rkd: value(() =>
        tf.div(
          tf.add(rkdLoss(t.s_pool as tf.Tensor, t.w_pool as tf.Tensor), rkdLoss(t.s_pool as tf.Tensor, t.d_pool as tf.Tensor)),
          2,
        ),
      ),
      pkt: value(() =>
        tf.div(
          tf.add(pktLoss(t.s_pool as tf.Tensor, t.w_pool as tf.Tensor), pktLoss(t.s_pool as tf.Tensor, t.d_pool as tf.Tensor)),
          2,
        ),
      ),
      sp: value(() =>
        tf.div(
          tf.add(
            similarityPreservingLoss(t.s_map as tf.Tensor, t.w_map as tf.Tensor),
            similarityPreservingLoss(t.s_map as tf.Tensor, t.d_map as tf.Tensor),
          ),
          2,
        ),
      ),
      nst: value(() =>
        tf.div(
          tf.add(
            nstLoss(resized(t.s_map as tf.Tensor), t.w_map as tf.Tensor),
            nstLoss(resized(t.s_map as tf.Tensor), t.d_map as tf.Tensor),
          ),
          2,
        ),
      ),
      cc: value(() =>
        tf.div(
          tf.add(
            correlationCongruenceLoss(t.s_pool as tf.Tensor, t.w_pool as tf.Tensor),
            correlationCongruenceLoss(t.s_pool as tf.Tensor, t.d_pool as tf.Tensor),
          ),
          2,
        ),
      ),
    };
    for (const [method, target] of Object.entries(expected)) {
      const pairs = method === 'sp' || method === 'nst' ? mapPairs : poolPairs;
      expect(await lossOf(buildStrategy({ method, pairs })), method).toBeCloseTo(target, 5);
    }
  });

  it('weighs each teacher by the policy: weighted [3, 1] gives ¾ · wide + ¼ · deep', async () => {
    const t = tensors;
    const [wide, deep] = [
      value(() => pktLoss(t.s_pool as tf.Tensor, t.w_pool as tf.Tensor)),
      value(() => pktLoss(t.s_pool as tf.Tensor, t.d_pool as tf.Tensor)),
    ];
    const loss = await lossOf(buildStrategy({ method: 'pkt', pairs: poolPairs, policy: 'weighted', weights: [3, 1] }));
    expect(loss).toBeCloseTo(0.75 * wide + 0.25 * deep, 6);
  });

  it('weighs per example under confidence: a teacher’s share counts where it is right', async () => {
    // Labels [0, 1, 1]: wide (3/4 on class 0) is right on example 0, deep on examples 1 and 2.
    const strategy = buildStrategy({ method: 'sp', pairs: mapPairs, policy: 'confidence' });
    const t = tensors;
    const expected = value(() => {
      const wide = similarityPreservingLoss(t.s_map as tf.Tensor, t.w_map as tf.Tensor, { reduction: 'none' });
      const deep = similarityPreservingLoss(t.s_map as tf.Tensor, t.d_map as tf.Tensor, { reduction: 'none' });
      // CA-MKD: CE = ln(4/3) where a teacher is right, ln 4 where wrong; the softmax over the two teachers of the CEs
      // gives 1/4 (right) and 3/4 (wrong), and w = 1 − that: 3/4 for the right teacher, 1/4 for the wrong one.
      const wideWeights = tf.tensor1d([0.75, 0.25, 0.25]);
      const deepWeights = tf.tensor1d([0.25, 0.75, 0.75]);
      return tf.mean(tf.add(tf.mul(wide, wideWeights), tf.mul(deep, deepWeights)));
    });
    expect(await lossOf(strategy)).toBeCloseTo(expected, 5);
  });

  it('accepts a method with its options, and rejects unknown methods and options in one line', () => {
    const t = tensors;
    const strategy = buildStrategy({ method: { name: 'rkd', distanceWeight: 1, angleWeight: 0 }, pairs: [poolPairs[0]] });
    const expected = value(() => rkdLoss(t.s_pool as tf.Tensor, t.w_pool as tf.Tensor, { distanceWeight: 1, angleWeight: 0 }));
    expect(tf.tidy(() => lossTotal(strategy.loss(context())).dataSync()[0])).toBeCloseTo(expected, 6);
    const create = (options: unknown) => () => factory.create(options, creation);
    expect(create({ method: 'fsp', pairs: poolPairs })).toThrow(DistilleryError);
    expect(create({ method: 'fsp', pairs: poolPairs })).toThrow(
      "strategies[1].options.method.name: expected 'rkd', 'pkt', 'sp', 'nst' or 'cc', or { name: 'rkd', 'pkt', 'sp', 'nst' or 'cc', …its options }",
    );
    expect(create({ method: { name: 'cc', gamma: 0 }, pairs: poolPairs })).toThrow(
      'strategies[1].options.method.gamma: expected a positive number',
    );
    expect(create({ method: 'pkt', pairs: [{ teacher: 'tall', student: 's_pool', teacherLayer: 'x' }] })).toThrow(
      "strategies[1].options.pairs[0].teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
  });

  it('refuses NST on layers that are not feature maps when the experiment is built', () => {
    const strategy = factory.create({ method: 'nst', pairs: poolPairs }, creation);
    expect(() => strategy.build?.(shapes)).toThrow(
      'strategies[1].options.pairs[0]: NST compares feature maps [B, H, W, C]; got student [, 5] and teacher [, 7]',
    );
  });
});
