import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type StrategyCreationContext,
} from '@distillery/core';
import { creationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionTransfer } from './attentionTransfer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const creation = creationContext({ path: 'strategies[1].options', teacherNames: ['wide', 'deep'], term: 'attention.at' });

/** [1, 2, 2, 2]: mean_c A² = [1, 2, 2, 4], norm 5 → at = [0.2, 0.4, 0.4, 0.8]. */
const studentValues = [1, 1, 2, 0, 0, -2, 2, -2];
/** [1, 2, 2, 4]: mean_c A² = [4, 2, 2, 1], norm 5 → at = [0.8, 0.4, 0.4, 0.2]. */
const teacherValues = [2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, -2, 1, -1, 1, 1];
// at_loss(student, teacher) = ((0.2 − 0.8)² + 0 + 0 + (0.8 − 0.2)²) / 4 = 0.18

/** The student example blown up to 4×4 by repeating each position as a 2×2 block; both resizes undo it exactly. */
const studentValuesAt4x4 = [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3].flatMap((position) =>
  studentValues.slice(2 * position, 2 * position + 2),
);

function create(options: unknown, context: StrategyCreationContext = creation): DistillationStrategy {
  return attentionTransfer.create(options, context);
}

/** A batch as the kernel would hand it over, with the given tapped features. */
function contextWith(
  studentFeatures: Record<string, tf.Tensor>,
  teacherFeatures: Record<string, Record<string, tf.Tensor>>,
): DistillationContext {
  const batch = Object.values(studentFeatures)[0]?.shape[0] ?? 1;
  return {
    inputs: tf.zeros([batch, 4]),
    labels: tf.zeros([batch], 'int32') as tf.Tensor1D,
    student: { logits: tf.zeros([batch, 3]) as tf.Tensor2D, features: studentFeatures },
    teachers: Object.entries(teacherFeatures).map(([name, features]) => ({
      name,
      logits: tf.zeros([batch, 3]) as tf.Tensor2D,
      features,
    })),
    epoch: 0,
    epochs: 1,
    step: 0,
    stepsPerEpoch: 1,
  };
}

function disposeContext(context: DistillationContext): void {
  tf.dispose([
    context.inputs,
    context.labels,
    context.student.logits,
    ...Object.values(context.student.features),
    ...context.teachers.flatMap((teacher) => [teacher.logits, ...Object.values(teacher.features)]),
  ]);
}

/** strategy.loss on a fresh context built by `makeContext`, as a plain number; checks that nothing leaks. */
function lossOf(strategy: DistillationStrategy, makeContext: () => DistillationContext): Promise<number> {
  return expectNoLeaks(() => {
    const context = makeContext();
    const loss = lossTotal(strategy.loss(context));
    const value = loss.dataSync()[0] as number;
    loss.dispose();
    disposeContext(context);
    return value;
  });
}

const onePair = { pairs: [{ student: 's_conv1', teacher: 't_conv1' }] };

describe('attention.at', () => {
  it('taps each listed layer once, of the first teacher by default, and owns no variables', () => {
    const strategy = create({
      pairs: [
        { student: 's_conv1', teacher: 't_conv1' },
        { student: 's_conv2', teacher: 't_conv2' },
        { student: 's_conv2', teacher: 't_conv3' },
      ],
    });
    expect(strategy.key).toBe('attention.at');
    expect(strategy.taps).toEqual({ student: ['s_conv1', 's_conv2'], teachers: { wide: ['t_conv1', 't_conv2', 't_conv3'] } });
    expect(strategy.variables).toBeUndefined();
  });

  it('is β/2 · at_loss with the default β = 1000 (hand-worked: 500 · 0.18 = 90)', async () => {
    const value = await lossOf(create(onePair), () =>
      contextWith(
        { s_conv1: tf.tensor4d(studentValues, [1, 2, 2, 2]) },
        { wide: { t_conv1: tf.tensor4d(teacherValues, [1, 2, 2, 4]) }, deep: {} },
      ),
    );
    expect(value).toBeCloseTo(90, 3);
  });

  it('sums at_loss over the pairs before scaling by β/2 (β = 10: 5 · (0.18 + 0 + 0.18) = 1.8)', async () => {
    const strategy = create({
      beta: 10,
      pairs: [
        { student: 's_conv1', teacher: 't_conv1' },
        { student: 's_conv1', teacher: 't_same' },
        { student: 's_conv1', teacher: 't_conv1' },
      ],
    });
    const value = await lossOf(strategy, () =>
      contextWith(
        { s_conv1: tf.tensor4d(studentValues, [1, 2, 2, 2]) },
        { wide: { t_conv1: tf.tensor4d(teacherValues, [1, 2, 2, 4]), t_same: tf.tensor4d(studentValues, [1, 2, 2, 2]) } },
      ),
    );
    expect(value).toBeCloseTo(1.8, 5);
  });

  it('reads the teacher named by the teacher option', async () => {
    // 'deep' holds a copy of the student's map (loss 0); the first teacher 'wide' would give 90.
    const value = await lossOf(create({ ...onePair, teacher: 'deep' }), () =>
      contextWith(
        { s_conv1: tf.tensor4d(studentValues, [1, 2, 2, 2]) },
        {
          wide: { t_conv1: tf.tensor4d(teacherValues, [1, 2, 2, 4]) },
          deep: { t_conv1: tf.tensor4d(studentValues, [1, 2, 2, 2]) },
        },
      ),
    );
    expect(value).toBeCloseTo(0, 6);
    expect(create({ ...onePair, teacher: 'deep' }).taps?.teachers).toEqual({ deep: ['t_conv1'] });
  });

  it('reduces a larger student map to the teacher size first, by avgpool or bilinear (both give 90 here)', async () => {
    for (const resize of ['avgpool', 'bilinear'] as const) {
      const value = await lossOf(create({ ...onePair, resize }), () =>
        contextWith(
          { s_conv1: tf.tensor4d(studentValuesAt4x4, [1, 4, 4, 2]) },
          { wide: { t_conv1: tf.tensor4d(teacherValues, [1, 2, 2, 4]) } },
        ),
      );
      expect(value).toBeCloseTo(90, 3);
    }
  });

  it('passes gradients to the student feature', async () => {
    const strategy = create(onePair);
    const gradient = await expectNoLeaks(() => {
      const studentFeature = tf.tensor4d(studentValuesAt4x4, [1, 4, 4, 2]);
      const teacherFeature = tf.tensor4d(teacherValues, [1, 2, 2, 4]);
      const grad = tf.grad((x: tf.Tensor) => {
        const context = contextWith({ s_conv1: x }, { wide: { t_conv1: teacherFeature } });
        const loss = lossTotal(strategy.loss(context));
        tf.dispose([
          context.inputs,
          context.labels,
          context.student.logits,
          ...context.teachers.map((teacher) => teacher.logits),
        ]);
        return loss;
      })(studentFeature);
      const values = Array.from(grad.dataSync());
      tf.dispose([studentFeature, teacherFeature, grad]);
      return values;
    });
    expect(gradient.some((value) => value !== 0)).toBe(true);
    for (const value of gradient) expect(Number.isFinite(value)).toBe(true);
  });

  describe('build', () => {
    const shapes = {
      student: { s_conv1: [null, 8, 8, 4], s_conv2: [null, 6, 6, 4], s_open: [null, null, null, 4], s_dense: [null, 16] },
      teachers: { wide: { t_conv1: [null, 4, 4, 8] }, deep: {} },
      numClasses: 3,
    };

    it('accepts integer multiples for avgpool, any larger map for bilinear, and sizes left open', () => {
      expect(() => create(onePair).build?.(shapes)).not.toThrow();
      expect(() =>
        create({ pairs: [{ student: 's_conv2', teacher: 't_conv1' }], resize: 'bilinear' }).build?.(shapes),
      ).not.toThrow();
      expect(() => create({ pairs: [{ student: 's_open', teacher: 't_conv1' }] }).build?.(shapes)).not.toThrow();
    });

    it('refuses, before training, sizes avgpool cannot reduce', () => {
      const strategy = create({ pairs: [onePair.pairs[0], { student: 's_conv2', teacher: 't_conv1' }] });
      expect(() => strategy.build?.(shapes)).toThrow(DistilleryError);
      expect(() => strategy.build?.(shapes)).toThrow(
        'strategies[1].options.pairs[1]: student map 6×6, teacher map 4×4: avgpool needs sizes that are integer multiples',
      );
    });

    it('refuses a layer whose output is not an NHWC feature map', () => {
      const strategy = create({ pairs: [{ student: 's_dense', teacher: 't_conv1' }] });
      expect(() => strategy.build?.(shapes)).toThrow(
        "strategies[1].options.pairs[0].student: student layer 's_dense' outputs [B, 16]; attention maps need NHWC feature maps [B, H, W, C]",
      );
    });
  });

  describe('options', () => {
    const cases: [string, unknown, string | RegExp][] = [
      ['missing pairs', {}, /^strategies\[1\]\.options\.pairs: expected an array of \{ student/],
      ['no pairs', { pairs: [] }, /^strategies\[1\]\.options\.pairs: expected at least one/],
      [
        'a pair without a student layer',
        { pairs: [{ teacher: 't' }] },
        /^strategies\[1\]\.options\.pairs\[0\]\.student: expected a layer name/,
      ],
      [
        'an empty teacher layer',
        { pairs: [{ student: 's', teacher: '' }] },
        /^strategies\[1\]\.options\.pairs\[0\]\.teacher: expected a layer name/,
      ],
      ['p below 1', { ...onePair, p: 0.5 }, /^strategies\[1\]\.options\.p: expected a number ≥ 1/],
      ['a negative beta', { ...onePair, beta: -1 }, /^strategies\[1\]\.options\.beta: expected a finite number ≥ 0/],
      ['an unknown resize', { ...onePair, resize: 'nearest' }, "strategies[1].options.resize: expected 'avgpool' or 'bilinear'"],
      ['an unknown key', { ...onePair, gamma: 1 }, "strategies[1].options: unknown key 'gamma'"],
      [
        'an unknown teacher',
        { ...onePair, teacher: 'x' },
        "strategies[1].options.teacher: unknown teacher 'x'; the teachers are: wide, deep",
      ],
    ];
    for (const [what, options, message] of cases) {
      it(`refuses ${what}, naming the field`, () => {
        expect(() => create(options)).toThrow(DistilleryError);
        expect(() => create(options)).toThrow(message);
      });
    }

    it('refuses an experiment without a teacher', () => {
      expect(() => create(onePair, creationContext({ path: 'strategies[1].options', teacherNames: [] }))).toThrow(
        'strategies[1].options.teacher: attention.at needs a teacher, but the experiment has none',
      );
    });
  });
});
