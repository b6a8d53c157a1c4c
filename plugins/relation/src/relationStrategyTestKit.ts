import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

// The batch, contexts and shared checks of the relation strategy-factory specs; test-only (tsconfig.build.json
// leaves *TestKit.ts out of dist).

/** The context `create` gets in these specs: the second strategy of an experiment with teachers `wide` and `deep`. */
export const creation = creationContext({ path: 'strategies[1].options', teacherNames: ['wide', 'deep'] });

/** A thunk that creates the factory's strategy from `options` (in `context`), for `expect(…).toThrow(…)`. */
export function deferredCreate(
  factory: StrategyFactory,
  context: StrategyCreationContext = creation,
): (options: unknown) => () => DistillationStrategy {
  return (options) => () => factory.create(options, context);
}

/** A relation loss of student and teacher features, as the strategies call it. */
type RelationLoss<O> = (student: tf.Tensor, teacher: tf.Tensor, options?: O) => tf.Tensor;

/** `loss(student, teacher, options)` as a number. */
export function lossValue<O>(loss: RelationLoss<O>, student: tf.Tensor, teacher: tf.Tensor, options?: O): number {
  return tf.tidy(() => loss(student, teacher, options).dataSync()[0] as number);
}

/** The pool–pool and stage–stage layer pairs of {@link RelationBatch}. */
export const poolPair = { student: 's_pool', teacher: 't_pool' };
export const stagePair = { student: 's_stage', teacher: 't_stage' };

export interface RelationBatchSpec {
  /** The seed of the student's logits; the other random tensors take the following seeds, in the order of {@link RelationBatch}. */
  readonly firstSeed: number;
  /**
   * The teacher whose features hold `t_pool` and `t_stage`: `wide`, the experiment's first (then the only one in the
   * context), or `deep`, beside a `wide` that gives only logits.
   */
  readonly pairedTeacher: 'wide' | 'deep';
  /** Whether `deep` has logits of its own (drawn after wide's); otherwise it shares wide's. */
  readonly deepLogits?: 'own' | 'wide';
  /** The shape of `t_stage`, [4, H, W, C]. */
  readonly teacherStageShape: [number, number, number, number];
}

/**
 * The batch of the relation factory specs: 4 examples of 3 classes (labels 0, 1, 2, 0), standard-normal logits
 * [4, 3], student layers `s_pool` [4, 5] and `s_stage` [4, 2, 2, 3], teacher layers `t_pool` [4, 8] and `t_stage`.
 * The tensors exist from the spec's `beforeAll` to its `afterAll`.
 */
export interface RelationBatch {
  readonly pairedTeacher: 'wide' | 'deep';
  readonly studentLogits: tf.Tensor2D;
  readonly wideLogits: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
  readonly studentPool: tf.Tensor2D;
  readonly studentStage: tf.Tensor4D;
  readonly teacherPool: tf.Tensor2D;
  readonly teacherStage: tf.Tensor4D;
  /** The static shapes of the four tapped layers. */
  readonly shapes: TapShapes;
  /** The context a strategy sees for this batch. */
  context(): DistillationContext;
}

/** Sets the CPU backend and makes the batch before the spec's tests, and frees it after them. */
export function useRelationBatch(spec: RelationBatchSpec): RelationBatch {
  const { firstSeed, pairedTeacher, deepLogits = 'wide', teacherStageShape } = spec;
  let pairedLogits: tf.Tensor2D;
  // The tensors are filled in by beforeAll; until then only the shapes and the context builder are usable.
  const parts: Pick<RelationBatch, 'pairedTeacher' | 'shapes' | 'context'> = {
    pairedTeacher,
    shapes: {
      student: { s_pool: [null, 5], s_stage: [null, 2, 2, 3] },
      teachers: { [pairedTeacher]: { t_pool: [null, 8], t_stage: [null, ...teacherStageShape.slice(1)] } },
      numClasses: 3,
    },
    context: () => {
      const paired = { logits: pairedLogits, features: { t_pool: batch.teacherPool, t_stage: batch.teacherStage } };
      return distillationContext({
        student: { logits: batch.studentLogits, features: { s_pool: batch.studentPool, s_stage: batch.studentStage } },
        teachers: pairedTeacher === 'wide' ? { wide: paired } : { wide: batch.wideLogits, deep: paired },
        labels: batch.labels,
      });
    },
  };
  const batch = parts as RelationBatch;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    let seed = firstSeed;
    const draw = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', seed++);
    Object.assign(batch, { studentLogits: draw([4, 3]), wideLogits: draw([4, 3]) });
    pairedLogits = pairedTeacher === 'deep' && deepLogits === 'own' ? (draw([4, 3]) as tf.Tensor2D) : batch.wideLogits;
    Object.assign(batch, {
      labels: tf.tensor1d([0, 1, 2, 0], 'int32'),
      studentPool: draw([4, 5]),
      studentStage: draw([4, 2, 2, 3]),
      teacherPool: draw([4, 8]),
      teacherStage: draw(teacherStageShape),
    });
  });

  afterAll(() => {
    const { studentLogits, wideLogits, labels, studentPool, studentStage, teacherPool, teacherStage } = batch;
    tf.dispose([
      ...new Set([studentLogits, wideLogits, pairedLogits, labels, studentPool, studentStage, teacherPool, teacherStage]),
    ]);
  });

  return batch;
}

/**
 * Creates the strategy for the batch's paired teacher with `options` and both layer pairs, expects it to tap exactly
 * those layers, and builds it on the batch's shapes.
 */
export function createPairedStrategy(factory: StrategyFactory, batch: RelationBatch, options: object = {}): DistillationStrategy {
  const strategy = factory.create({ teacher: batch.pairedTeacher, ...options, pairs: [poolPair, stagePair] }, creation);
  expect(strategy.taps).toEqual({ student: ['s_pool', 's_stage'], teachers: { [batch.pairedTeacher]: ['t_pool', 't_stage'] } });
  strategy.build?.(batch.shapes);
  return strategy;
}

/** Registers the check that, without pairs, the strategy is `loss` of the student's and first teacher's logits. */
export function itRelatesTheLogitsByDefault(factory: StrategyFactory, loss: RelationLoss<never>, batch: RelationBatch): void {
  it(`relates the logits of the experiment's first teacher when no pairs are given, as ${loss.name} does`, async () => {
    const strategy = factory.create({}, creation);
    expect(strategy.key).toBe(factory.key);
    expect(strategy.taps).toBeUndefined();
    expect(strategy.lossParts).toBeUndefined();
    const expected = lossValue(loss, batch.studentLogits, batch.wideLogits);
    expect(expected).toBeGreaterThan(0);
    expect(await strategyLoss(strategy, batch.context())).toBeCloseTo(expected, 7);
  });
}

/** Registers the check that with both layer pairs the strategy is the mean of `loss` over them. */
function itAveragesTheLossOverPairs(factory: StrategyFactory, loss: RelationLoss<never>, batch: RelationBatch): void {
  it(`taps exactly the paired layers and averages ${loss.name} over the pairs; sizes may differ`, async () => {
    const strategy = createPairedStrategy(factory, batch);
    const expected =
      (lossValue(loss, batch.studentPool, batch.teacherPool) + lossValue(loss, batch.studentStage, batch.teacherStage)) / 2;
    expect(await strategyLoss(strategy, batch.context())).toBeCloseTo(expected, 6);
  });
}

/** Registers the option checks of a factory whose only options are `teacher` and `pairs`. */
function itRejectsBadPairOptions(factory: StrategyFactory): void {
  it('rejects bad options with one line naming the option', () => {
    const create = deferredCreate(factory);
    expect(create({ pairs: [] })).toThrow(DistilleryError);
    expect(create({ pairs: [] })).toThrow(
      "strategies[1].options.pairs: expected at least one { student: '<layer>', teacher: '<layer>' }",
    );
    expect(create({ pairs: [{ student: '', teacher: 't_pool' }] })).toThrow(
      'strategies[1].options.pairs[0].student: expected a layer name',
    );
    expect(create({ weight: 2 })).toThrow("strategies[1].options: unknown key 'weight'");
  });
}

/** Registers the check that the factory refuses a teacher the experiment lacks, and an experiment without teachers. */
export function itRejectsAMissingTeacher(factory: StrategyFactory): void {
  it('rejects a teacher the experiment does not have, and an experiment without teachers', () => {
    expect(() => factory.create({ teacher: 'tall' }, creation)).toThrow(
      "strategies[1].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
    expect(() => factory.create({}, { ...creation, teacherNames: [] })).toThrow(
      `strategies[1].options.teacher: ${factory.key} needs a teacher, but the experiment has none`,
    );
  });
}

/**
 * Registers the check that create, build, `measure` (a loss helper from @distillery/testing) and dispose leave no
 * tensor behind, for the strategy on one layer pair of the batch's paired teacher.
 */
export function itLeaksNothing(
  factory: StrategyFactory,
  batch: RelationBatch,
  pair: typeof poolPair,
  measure: (strategy: DistillationStrategy, context: DistillationContext) => Promise<unknown> = strategyLoss,
): void {
  it('leaks nothing over create, build, loss and dispose', async () => {
    await expectNoLeaks(async () => {
      const strategy = factory.create({ teacher: batch.pairedTeacher, pairs: [pair] }, creation);
      strategy.build?.(batch.shapes);
      await measure(strategy, batch.context());
      strategy.dispose?.();
    });
  });
}

/**
 * Registers the checks of a factory whose strategy is `loss` averaged over layer pairs and whose only options are
 * `teacher` and `pairs`: the logits by default, the mean over both pairs, option and teacher errors, no leaks.
 */
export function itRelatesLayerPairsBy(factory: StrategyFactory, loss: RelationLoss<never>, batch: RelationBatch): void {
  itRelatesTheLogitsByDefault(factory, loss, batch);
  itAveragesTheLossOverPairs(factory, loss, batch);
  itRejectsBadPairOptions(factory);
  itRejectsAMissingTeacher(factory);
  itLeaksNothing(factory, batch, stagePair);
}
