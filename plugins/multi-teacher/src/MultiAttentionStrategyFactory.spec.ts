import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type TapShapes,
} from '@distillery/core';
import { attentionTransfer, attentionTransferLoss } from '@distillery/plugin-attention';
import { creationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { MultiAttentionStrategyFactory } from './MultiAttentionStrategyFactory.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';

const factory = new MultiAttentionStrategyFactory(new TeacherPolicyRegistry([...builtInPolicies.values()]));
const creation = creationContext({ teacherNames: ['wide', 'deep'], studentName: 's', seed: 7, term: 'multi.attention' });
const ln3 = Math.log(3);

const shapes: TapShapes = {
  student: { s_conv1: [null, 4, 4, 2], s_conv2: [null, 2, 2, 4], s_dense: [null, 3] },
  teachers: {
    wide: { w_conv1: [null, 4, 4, 3], w_conv2: [null, 2, 2, 6] },
    deep: { d_conv: [null, 4, 4, 5], d_odd: [null, 3, 3, 5] },
  },
  numClasses: 2,
};

let tensors: Record<string, tf.Tensor>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tensors = {
    labels: tf.tensor1d([0, 1], 'int32'),
    studentLogits: tf.zeros([2, 2]),
    // Under confidence: w = [[3/4, 1/4], [1/4, 3/4]] (wide right on example 1, deep on example 2).
    wideLogits: tf.tensor2d([
      [ln3, 0],
      [ln3, 0],
    ]),
    deepLogits: tf.tensor2d([
      [0, ln3],
      [0, ln3],
    ]),
    s_conv1: tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1),
    s_conv2: tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 2),
    w_conv1: tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 3),
    w_conv2: tf.randomNormal([2, 2, 2, 6], 0, 1, 'float32', 4),
    d_conv: tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 5),
  };
});

afterAll(() => {
  tf.dispose(Object.values(tensors));
});

function context(
  student: Record<string, tf.Tensor> = { s_conv1: tensors.s_conv1 as tf.Tensor, s_conv2: tensors.s_conv2 as tf.Tensor },
): DistillationContext {
  return {
    inputs: tensors.studentLogits as tf.Tensor,
    labels: tensors.labels as tf.Tensor1D,
    student: { logits: tensors.studentLogits as tf.Tensor2D, features: student },
    teachers: [
      {
        name: 'wide',
        logits: tensors.wideLogits as tf.Tensor2D,
        features: { w_conv1: tensors.w_conv1 as tf.Tensor, w_conv2: tensors.w_conv2 as tf.Tensor },
      },
      { name: 'deep', logits: tensors.deepLogits as tf.Tensor2D, features: { d_conv: tensors.d_conv as tf.Tensor } },
    ],
    epoch: 0,
    epochs: 1,
    step: 0,
    stepsPerEpoch: 1,
  };
}

async function lossOf(strategy: DistillationStrategy): Promise<number> {
  strategy.build?.(shapes);
  return expectNoLeaks(async () => {
    const loss = lossTotal(strategy.loss(context()));
    expect(loss.rank).toBe(0);
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

async function perExample(student: string, teacher: string): Promise<number[]> {
  const losses = attentionTransferLoss(tensors[student] as tf.Tensor, tensors[teacher] as tf.Tensor, { reduction: 'none' });
  const values = Array.from(await losses.data());
  losses.dispose();
  return values;
}

function createError(options: unknown): string {
  try {
    factory.create(options, creation).build?.(shapes);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() or build() to throw');
}

describe('multi.attention', () => {
  it('equals attention.at with one teacher, under any policy', async () => {
    const multi = factory.create(
      {
        policy: 'entropy',
        pairs: [
          { teacher: 'wide', student: 's_conv1', teacherLayer: 'w_conv1' },
          { teacher: 'wide', student: 's_conv1', teacherLayer: 'w_conv2' },
        ],
      },
      creation,
    );
    const single = attentionTransfer.create(
      {
        teacher: 'wide',
        pairs: [
          { student: 's_conv1', teacher: 'w_conv1' },
          { student: 's_conv1', teacher: 'w_conv2' },
        ],
      },
      creation,
    );
    expect(multi.key).toBe('multi.attention');
    expect(multi.variables).toBeUndefined();
    const [multiLoss, singleLoss] = [await lossOf(multi), await lossOf(single)];
    expect(singleLoss).toBeGreaterThan(1);
    // β/2 = 500 scales float32 rounding too: compare to 1e-6 relative.
    expect(Math.abs(multiLoss - singleLoss) / singleLoss).toBeLessThan(1e-6);
  });

  it('weighs each example’s attention losses per teacher by the policy: (1/B) Σ_b Σ_k w_bk · β/2 · Σ_pairs at_bp', async () => {
    const strategy = factory.create(
      {
        policy: 'confidence',
        beta: 2,
        pairs: [
          { teacher: 'wide', student: 's_conv1', teacherLayer: 'w_conv1' },
          { teacher: 'deep', student: 's_conv1', teacherLayer: 'd_conv' },
          { teacher: 'wide', student: 's_conv2', teacherLayer: 'w_conv2' },
        ],
      },
      creation,
    );
    const [wide1, deep1, wide2] = [
      await perExample('s_conv1', 'w_conv1'),
      await perExample('s_conv1', 'd_conv'),
      await perExample('s_conv2', 'w_conv2'),
    ] as [number[], number[], number[]];
    // β/2 = 1. Wide's loss per example is the sum of its two pairs.
    const weights = [
      [3 / 4, 1 / 4],
      [1 / 4, 3 / 4],
    ];
    const expected =
      [0, 1].reduce((sum, b) => {
        const [wWide, wDeep] = weights[b] as [number, number];
        return sum + wWide * ((wide1[b] as number) + (wide2[b] as number)) + wDeep * (deep1[b] as number);
      }, 0) / 2;
    expect(await lossOf(strategy)).toBeCloseTo(expected, 5);
  });

  it('sends gradients to the student’s features', async () => {
    const strategy = factory.create(
      {
        pairs: [
          { teacher: 'wide', student: 's_conv1', teacherLayer: 'w_conv2' },
          { teacher: 'deep', student: 's_conv1', teacherLayer: 'd_conv' },
        ],
        resize: 'bilinear',
      },
      creation,
    );
    strategy.build?.(shapes);
    const feature = tf.variable(tensors.s_conv1 as tf.Tensor, true, 'multi-attention-spec/s_conv1');
    const norm = await expectNoLeaks(async () => {
      const gradientNorm = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => lossTotal(strategy.loss(context({ s_conv1: feature }))), [feature]);
        return tf.norm(grads[feature.name] as tf.Tensor);
      });
      const [value] = await gradientNorm.data();
      gradientNorm.dispose();
      return value as number;
    });
    expect(norm).toBeGreaterThan(0);
    feature.dispose();
  });

  it('checks the layers’ shapes at build time', () => {
    expect(createError({ pairs: [{ teacher: 'wide', student: 's_dense', teacherLayer: 'w_conv1' }] })).toBe(
      "strategies[0].options.pairs[0].student: student layer 's_dense' outputs [B, 3]; attention maps need NHWC feature maps [B, H, W, C]",
    );
    expect(createError({ pairs: [{ teacher: 'deep', student: 's_conv1', teacherLayer: 'd_odd' }] })).toMatch(
      /^strategies\[0\]\.options\.pairs\[0\]: student map 4×4, teacher map 3×3: avgpool needs sizes that are integer multiples/,
    );
  });

  it('names bad options', () => {
    const pairs = [{ teacher: 'wide', student: 's_conv1', teacherLayer: 'w_conv1' }];
    expect(createError({ pairs, p: 0.5 })).toMatch(/^strategies\[0\]\.options\.p: expected a number ≥ 1/);
    expect(createError({ pairs, beta: -1 })).toBe('strategies[0].options.beta: expected a finite number ≥ 0');
    expect(createError({ pairs, policy: 'loudest' })).toMatch(
      /^strategies\[0\]\.options\.policy: unknown policy 'loudest'; registered: /,
    );
    expect(createError({ pairs: [{ teacher: 'tall', student: 's', teacherLayer: 't' }] })).toBe(
      "strategies[0].options.pairs[0].teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
  });
});
