import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import type { Logger } from '../composition/Logger.js';
import { TensorDataset } from '../data/TensorDataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { TrainingState } from '../state/TrainingState.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import type { Distiller, FitOptions } from './Distiller.js';
import type { EpochMetrics } from './EpochMetrics.js';
import { TrainingInterrupted } from './TrainingInterrupted.js';
import type { TrainingOptionsInput } from './TrainingOptions.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** KD-like: pulls the student's logits towards the teacher's; NaN once at each step listed in `nanAt`. */
function matchTeacher(nanAt: ReadonlySet<number> = new Set()): ContainerModule {
  const fired = new Set<number>();
  return new ContainerModule(({ bind }) => {
    bind(StrategyFactory).toConstantValue({
      key: 'test.match',
      description: 'mean squared logit difference',
      create: () => ({
        key: 'test.match',
        loss: (context: DistillationContext) => {
          const loss = tf.mean(
            tf.squaredDifference(context.student.logits, (context.teachers[0] as { logits: tf.Tensor }).logits),
          );
          // Once: a skipped batch does not advance the step, and the next batch must be finite.
          const poisoned = nanAt.has(context.step) && !fired.has(context.step) && context.epoch > 0;
          if (poisoned) fired.add(context.step);
          return (poisoned ? tf.mul(loss, Number.NaN) : loss) as tf.Scalar;
        },
      }),
    });
  });
}

const lines: string[] = [];
const logger: Logger = { info: (line) => lines.push(line), warn: (line) => lines.push(line) };

function data(): TensorDataset {
  const { inputs, labels } = gaussianClusters({ examples: 70, features: 6, classes: 3, seed: 8 });
  return new TensorDataset(tf.tensor2d(inputs, [70, 6]), tf.tensor1d(labels, 'int32'), 'synthetic-70');
}

const teacher = fixtureMlp({ inputSize: 6, hidden: [10], classes: 3, prefix: 'teacher', seed: 4 });

function distillerFor(student: tfl.LayersModel, training: TrainingInputs = {}, nanAt?: ReadonlySet<number>): Distiller {
  return createDistiller({
    teachers: [{ name: 'teacher', model: teacher }],
    student: { model: student },
    strategies: [{ key: 'task.ce', weight: 0.3 }, { key: 'test.match' }],
    plugins: [matchTeacher(nanAt)],
    // Adam, a cosine schedule with warm-up and a float16 teacher cache: state that must all come back.
    training: {
      epochs: 3,
      batchSize: 16,
      seed: 5,
      optimizer: { name: 'adam', learningRate: 0.02 },
      schedule: { type: 'cosine' },
      warmupEpochs: 1,
      teacherCache: { precision: 'float16' },
      ...training,
    },
    backend: 'cpu',
    logger,
  });
}
type TrainingInputs = Partial<TrainingOptionsInput>;

const losses = (history: readonly EpochMetrics[]) => history.map(({ epoch, loss, losses }) => ({ epoch, loss, losses }));

/** An uninterrupted run, and the states a checkpointing run saved until `interrupt()` at `stopAt`. */
async function interruptedAt(stopAt: number, everySteps: number) {
  const train = data();
  const studentA = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 1 });
  const whole = distillerFor(studentA);
  const history = await whole.fit(train, { diagnoseTeachers: false });
  const finalWeights = weightsOf(studentA);
  whole.dispose();

  const studentB = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 1 });
  const interrupted = distillerFor(studentB);
  const states: TrainingState[] = [];
  interrupted.on('batchEnd', ({ step }) => {
    if (step === stopAt) interrupted.interrupt();
  });
  const checkpoint: FitOptions['checkpoint'] = { everySteps, save: async (state) => void states.push(state) };
  const error = await interrupted.fit(train, { diagnoseTeachers: false, checkpoint }).catch((caught: unknown) => caught);
  interrupted.dispose();
  studentA.dispose();
  studentB.dispose();
  return { train, history, finalWeights, states, error };
}

async function resumeFrom(train: TensorDataset, state: TrainingState) {
  // Another initialisation: everything must come from the state.
  const student = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 99 });
  const distiller = distillerFor(student);
  const history = await distiller.fit(train, { diagnoseTeachers: false, resume: state });
  const weights = weightsOf(student);
  distiller.dispose();
  student.dispose();
  return { history, weights };
}

describe('a Distiller resumed from a checkpoint', () => {
  it('ends with the weights and losses of the uninterrupted run, stopped mid-epoch in epoch 1', async () => {
    // 70 examples in batches of 16: 5 steps per epoch; step 7 is epoch 1's third batch.
    const { train, history, finalWeights, states, error } = await interruptedAt(7, 3);
    expect(error).toBeInstanceOf(TrainingInterrupted);
    expect((error as Error).message).toBe('interrupted at epoch 1, batch 3 of 5 (step 8); the state is saved');
    // every 3 steps (after steps 3 and 6), at the end of epoch 0, and on the interruption
    expect(states.map(({ epoch, batch, globalStep }) => [epoch, batch, globalStep])).toEqual([
      [0, 3, 3],
      [1, 0, 5],
      [1, 1, 6],
      [1, 3, 8],
    ]);
    const last = states.at(-1) as TrainingState;
    expect(last.history).toHaveLength(1);
    // Restoring and continuing frees everything it made: the optimizer state it rebuilt goes with dispose().
    const resumed = await expectNoLeaks(() => resumeFrom(train, last));
    expect(losses(resumed.history)).toEqual(losses(history));
    expect(resumed.weights.map((values) => Array.from(values))).toEqual(finalWeights.map((values) => Array.from(values)));
    train.dispose();
  });

  it('does the same from a state saved in the first epoch, before the teacher cache was complete', async () => {
    const { train, finalWeights, states } = await interruptedAt(1, 1);
    const first = states[0] as TrainingState;
    expect([first.epoch, first.batch, first.globalStep]).toEqual([0, 1, 1]);
    const resumed = await resumeFrom(train, first);
    expect(resumed.weights.map((values) => Array.from(values))).toEqual(finalWeights.map((values) => Array.from(values)));
    train.dispose();
  });

  it('refuses a state made for another model, in one line', async () => {
    const { train, states } = await interruptedAt(2, 2);
    const other = fixtureMlp({ inputSize: 6, hidden: [8, 8], classes: 3, prefix: 'other', seed: 1 });
    const distiller = distillerFor(other);
    await expect(distiller.fit(train, { diagnoseTeachers: false, resume: states[0] as TrainingState })).rejects.toThrow(
      'checkpoint: student weights: the checkpoint has 4, this experiment 6; it was made for another model',
    );
    distiller.dispose();
    other.dispose();
    train.dispose();
  });
});

describe('a non-finite loss', () => {
  it('stops training before the update, naming the term, epoch and step', async () => {
    const train = data();
    const student = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 1 });
    const distiller = distillerFor(student, {}, new Set([6]));
    let before: number[][] = [];
    distiller.on('batchEnd', ({ step }) => {
      if (step === 5) before = weightsOf(student).map((values) => Array.from(values));
    });
    const error = await distiller.fit(train, { diagnoseTeachers: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DistilleryError);
    expect((error as Error).message).toMatch(
      /^non-finite loss at epoch 1, step 6: term 'test\.match' is NaN \(task\.ce = [\d.]+, test\.match = NaN\); training stopped before the update/,
    );
    expect(weightsOf(student).map((values) => Array.from(values))).toEqual(before);
    distiller.dispose();
    student.dispose();
    train.dispose();
  });

  it('under onNonFinite: skip-batch, skips that batch’s update and goes on', async () => {
    const train = data();
    const student = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 1 });
    const distiller = distillerFor(student, { onNonFinite: 'skip-batch' }, new Set([6]));
    lines.length = 0;
    const history = await distiller.fit(train, { diagnoseTeachers: false });
    expect(lines.filter((line) => line.startsWith('non-finite loss at epoch 1, step 6'))).toHaveLength(1);
    expect(history.every((epoch) => Number.isFinite(epoch.loss))).toBe(true);
    // The skipped step does not count: 3 epochs × 5 batches − 1 updates.
    expect(distiller.optimizer.iterations).toBe(14);
    expect(weightsOf(student).every((values) => values.every(Number.isFinite))).toBe(true);
    distiller.dispose();
    student.dispose();
    train.dispose();
  });
});

describe('an interruption asked for by the host (a Ctrl-C handler, a timer)', () => {
  it('is heard after the step in progress, since every step gives the event loop a turn', async () => {
    const train = data();
    const student = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 1 });
    const distiller = distillerFor(student, { teacherCache: { enabled: false } });
    let stepsWhenAsked: number | undefined;
    let steps = 0;
    distiller.on('batchEnd', () => {
      steps++;
    });
    // A macrotask, as a signal handler is: it runs only when the loop gets a turn, which microtasks never give.
    setTimeout(() => {
      stepsWhenAsked = steps;
      distiller.interrupt();
    }, 0);
    const error = await distiller.fit(train, { diagnoseTeachers: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrainingInterrupted);
    // 3 epochs of 5 batches: without the turn the timer would wait for the end of training.
    expect(stepsWhenAsked).toBeDefined();
    expect(steps).toBeLessThanOrEqual((stepsWhenAsked as number) + 1);
    expect(steps).toBeLessThan(15);
    distiller.dispose();
    student.dispose();
    train.dispose();
  });
});
