import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError, resizeBilinearHalfPixel, type TapShapes } from '@distillery/core';
import { distillationContext, expectNoLeaks, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nstLoss } from './nstLoss.js';
import { nstStrategyFactory } from './nstStrategyFactory.js';
import { creation, deferredCreate, lossValue } from './relationStrategyTestKit.js';

let logits: tf.Tensor2D;
let labels: tf.Tensor1D;
let studentStage1: tf.Tensor4D;
let studentStage2: tf.Tensor4D;
let deepStage1: tf.Tensor4D;
let deepStage2: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  logits = tf.randomNormal([3, 2], 0, 1, 'float32', 20);
  labels = tf.tensor1d([0, 1, 1], 'int32');
  // Stage 1 matches in H×W (4×4); the student's stage 2 is 6×4 against the teacher's 3×2 and is resized to it.
  studentStage1 = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 21);
  studentStage2 = tf.randomNormal([3, 6, 4, 3], 0, 1, 'float32', 22);
  deepStage1 = tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 23);
  deepStage2 = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 24);
});

afterAll(() => {
  tf.dispose([logits, labels, studentStage1, studentStage2, deepStage1, deepStage2]);
});

const context = () =>
  distillationContext({
    student: { logits, features: { s1: studentStage1, s2: studentStage2 } },
    teachers: { wide: logits, deep: { logits, features: { t1: deepStage1, t2: deepStage2 } } },
    labels,
  });

const stagePairs = {
  teacher: 'deep',
  pairs: [
    { student: 's1', teacher: 't1' },
    { student: 's2', teacher: 't2' },
  ],
};
const stageShapes: TapShapes = {
  student: { s1: [null, 4, 4, 2], s2: [null, 6, 4, 3] },
  teachers: { deep: { t1: [null, 4, 4, 5], t2: [null, 3, 2, 4] } },
  numClasses: 2,
};

const lossOf = (student: tf.Tensor, teacher: tf.Tensor) => lossValue(nstLoss, student, teacher);

describe('nstStrategyFactory', () => {
  it('is registered as relation.nst, cites Huang & Wang 2017 and needs pairs of feature maps', () => {
    expect(nstStrategyFactory.key).toBe('relation.nst');
    expect(nstStrategyFactory.paper).toBe(
      'Huang, Wang 2017, "Like What You Like: Knowledge Distill via Neuron Selectivity Transfer", arXiv:1707.01219',
    );
    expect(nstStrategyFactory.description).toMatch(/^NST \(Huang & Wang 2017\)/);
    expect(nstStrategyFactory.optionsSchema?.safeParse({}).success).toBe(false);
    expect(nstStrategyFactory.optionsSchema?.parse({ pairs: [{ student: 's1', teacher: 't1' }] })).toEqual({
      pairs: [{ student: 's1', teacher: 't1' }],
    });
  });

  it('taps exactly the paired layers of the named teacher', () => {
    const strategy = nstStrategyFactory.create(stagePairs, creation);
    expect(strategy.key).toBe('relation.nst');
    expect(strategy.taps).toEqual({ student: ['s1', 's2'], teachers: { deep: ['t1', 't2'] } });
    expect(strategy.lossParts).toBeUndefined();
  });

  it('is nstLoss on maps of one H×W, channel counts differing', async () => {
    const strategy = nstStrategyFactory.create({ pairs: [{ student: 's1', teacher: 't1' }], teacher: 'deep' }, creation);
    strategy.build?.(stageShapes);
    const expected = lossOf(studentStage1, deepStage1);
    expect(expected).toBeGreaterThan(0);
    expect(await strategyLoss(strategy, context())).toBeCloseTo(expected, 6);
  });

  it("resizes a student map of another H×W to the teacher's bilinearly, and averages over the pairs", async () => {
    const strategy = nstStrategyFactory.create(stagePairs, creation);
    strategy.build?.(stageShapes);
    const resized = tf.tidy(() => lossOf(resizeBilinearHalfPixel(studentStage2, [3, 2]), deepStage2));
    const expected = (lossOf(studentStage1, deepStage1) + resized) / 2;
    expect(await strategyLoss(strategy, context())).toBeCloseTo(expected, 6);
    // Resizing the teacher's map to the student's instead gives another number: the resize goes the documented way.
    const otherWay = tf.tidy(() => lossOf(studentStage2, resizeBilinearHalfPixel(deepStage2, [6, 4])));
    expect(Math.abs(otherWay - resized)).toBeGreaterThan(1e-3);
  });

  it('refuses a pair that is not two feature maps when the experiment is built', () => {
    const strategy = nstStrategyFactory.create(
      {
        pairs: [
          { student: 's1', teacher: 't1' },
          { student: 's_pool', teacher: 't1' },
        ],
      },
      creation,
    );
    const shapes: TapShapes = {
      student: { s1: [null, 4, 4, 2], s_pool: [null, 16] },
      teachers: { wide: { t1: [null, 4, 4, 5] } },
      numClasses: 2,
    };
    expect(() => strategy.build?.(shapes)).toThrow(DistilleryError);
    expect(() => strategy.build?.(shapes)).toThrow(
      'strategies[1].options.pairs[1]: NST compares feature maps [B, H, W, C]; got student [B, 16] and teacher [B, 4, 4, 5]',
    );
  });

  it('rejects bad options with one line naming the option', () => {
    const create = deferredCreate(nstStrategyFactory);
    expect(create({})).toThrow("strategies[1].options.pairs: expected an array of { student: '<layer>', teacher: '<layer>' }");
    expect(create({ pairs: [] })).toThrow(
      "strategies[1].options.pairs: expected at least one { student: '<layer>', teacher: '<layer>' }",
    );
    expect(create({ pairs: [{ student: 's1', teacher: 7 }] })).toThrow(
      'strategies[1].options.pairs[0].teacher: expected a layer name',
    );
    expect(create({ ...stagePairs, resize: 'bilinear' })).toThrow("strategies[1].options: unknown key 'resize'");
    expect(create({ ...stagePairs, teacher: 'tall' })).toThrow(
      "strategies[1].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
    expect(() => nstStrategyFactory.create(stagePairs, { ...creation, teacherNames: [] })).toThrow(
      'strategies[1].options.teacher: relation.nst needs a teacher, but the experiment has none',
    );
  });

  it('leaks nothing over create, build, loss and dispose', async () => {
    await expectNoLeaks(async () => {
      const strategy = nstStrategyFactory.create(stagePairs, creation);
      strategy.build?.(stageShapes);
      await strategyLoss(strategy, context());
      strategy.dispose?.();
    });
  });
});
