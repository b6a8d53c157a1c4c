import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import { TensorDataset } from '../data/TensorDataset.js';
import type { TrainingState } from '../state/TrainingState.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';
import type { StrategyCreationContext } from '../strategy/StrategyCreationContext.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import type { Distiller, FitOptions } from './Distiller.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const examples = 70;

/**
 * A memory-bank strategy in miniature: one row per training example, updated with momentum ½ from the student's
 * logits at the batch's indices (as CRD's banks are), and a loss that reads the bank, so that training depends on
 * the state; plus a counter of updates.
 */
function bankPlugin(made: DistillationStrategy[], seen: { indices: number[][] }): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(StrategyFactory).toConstantValue({
      key: 'test.bank',
      description: 'pulls logits towards a per-example momentum bank of earlier logits',
      create: (_options: unknown, context: StrategyCreationContext) => {
        let bank: tf.Variable | undefined;
        let updates: tf.Variable | undefined;
        let classes = 0;
        const strategy: DistillationStrategy = {
          key: 'test.bank',
          build: ({ numClasses }) => {
            classes = numClasses;
          },
          // Sized by the training set, which only fit knows.
          prepare: ({ size }) => {
            if (bank?.shape[0] === size) return;
            tf.dispose([bank, updates]);
            bank = tf.tidy(() => tf.variable(tf.zeros([size, classes]), false, context.variableName('bank')));
            updates = tf.tidy(() => tf.variable(tf.zeros([1]), false, context.variableName('updates')));
          },
          state: () => (bank === undefined ? [] : [bank, updates as tf.Variable]),
          loss: (batch: DistillationContext) => {
            const rows = tf.gather(bank as tf.Variable, tf.tensor1d(batch.indices as Int32Array, 'int32'));
            return tf.mean(tf.squaredDifference(batch.student.logits, rows)) as tf.Scalar;
          },
          update: (batch: DistillationContext) => {
            seen.indices.push(Array.from(batch.indices as Int32Array));
            const indices = tf.tensor1d(batch.indices as Int32Array, 'int32');
            const blended = tf.add(tf.mul(tf.gather(bank as tf.Variable, indices), 0.5), tf.mul(batch.student.logits, 0.5));
            // Rows of the batch replaced, the others kept: bank + onehotᵀ · (blended − old rows).
            const delta = tf.sub(blended, tf.gather(bank as tf.Variable, indices));
            const scatter = tf.matMul(tf.oneHot(indices, (bank as tf.Variable).shape[0] as number), delta, true, false);
            (bank as tf.Variable).assign(tf.add(bank as tf.Variable, scatter));
            (updates as tf.Variable).assign(tf.add(updates as tf.Variable, 1));
          },
          dispose: () => tf.dispose([bank, updates]),
        };
        made.push(strategy);
        return strategy;
      },
    });
  });
}

function data(): TensorDataset {
  const { inputs, labels } = gaussianClusters({ examples, features: 6, classes: 3, seed: 8 });
  return new TensorDataset(tf.tensor2d(inputs, [examples, 6]), tf.tensor1d(labels, 'int32'), 'synthetic-70');
}

const logged: string[] = [];

function distillerFor(student: tfl.LayersModel, made: DistillationStrategy[], seen = { indices: [] as number[][] }): Distiller {
  return createDistiller({
    student: { model: student },
    strategies: [{ key: 'task.ce' }, { key: 'test.bank', weight: 0.5 }],
    plugins: [bankPlugin(made, seen)],
    training: { epochs: 3, batchSize: 16, seed: 5, optimizer: { name: 'adam', learningRate: 0.02 } },
    backend: 'cpu',
    logger: { info: (line) => logged.push(line), warn: (line) => logged.push(line) },
  });
}

const student = (seed: number) => fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed });
const stateOf = (strategy: DistillationStrategy) => (strategy.state?.() ?? []).map((variable) => Array.from(variable.dataSync()));

describe('strategy state (DistillationStrategy.state and update)', () => {
  it('is updated once per optimizer step with the batch’s dataset indices, never on the backend probe', async () => {
    const train = data();
    const made: DistillationStrategy[] = [];
    const seen = { indices: [] as number[][] };
    const model = student(1);
    const distiller = distillerFor(model, made, seen);
    await distiller.fit(train, { diagnoseTeachers: false });
    // 70 examples in batches of 16: 5 steps per epoch, 15 in all; the probe batch ran the loss but no update.
    expect(stateOf(made[0] as DistillationStrategy)[1]).toEqual([15]);
    expect(seen.indices).toHaveLength(15);
    // Each epoch's batches cover every example once.
    for (let epoch = 0; epoch < 3; epoch++) {
      expect(
        seen.indices
          .slice(epoch * 5, epoch * 5 + 5)
          .flat()
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: examples }, (_, i) => i));
    }
    // Not trained: the optimizer never sees the state.
    expect(distiller.strategyVariables()).toEqual([]);
    // Sized in the log: (70 × 3 + 1) float32 values = 844 bytes.
    expect(logged).toContain('strategy state (checkpointed with the run): test.bank: 2 tensors, 0.8 KiB');
    distiller.dispose();
    model.dispose();
    train.dispose();
  });

  it('is checkpointed and restored: a run resumed mid-epoch ends bit for bit where the uninterrupted one does', async () => {
    const train = data();
    const wholeMade: DistillationStrategy[] = [];
    const wholeModel = student(1);
    const whole = distillerFor(wholeModel, wholeMade);
    await whole.fit(train, { diagnoseTeachers: false });
    const expectedWeights = weightsOf(wholeModel).map((values) => Array.from(values));
    const expectedState = stateOf(wholeMade[0] as DistillationStrategy);
    whole.dispose();

    const interruptedModel = student(1);
    const interrupted = distillerFor(interruptedModel, []);
    const states: TrainingState[] = [];
    interrupted.on('batchEnd', ({ step }) => {
      if (step === 7) interrupted.interrupt();
    });
    const checkpoint: FitOptions['checkpoint'] = { everySteps: 100, save: async (state) => void states.push(state) };
    await interrupted.fit(train, { diagnoseTeachers: false, checkpoint }).catch(() => undefined);
    interrupted.dispose();
    const saved = states.at(-1) as TrainingState;
    expect(saved.strategyState?.map(({ shape }) => shape)).toEqual([[examples, 3], [1]]);

    const resumedMade: DistillationStrategy[] = [];
    const resumedModel = student(99);
    await expectNoLeaks(async () => {
      const resumed = distillerFor(resumedModel, resumedMade);
      await resumed.fit(train, { diagnoseTeachers: false, resume: saved });
      expect(stateOf(resumedMade[0] as DistillationStrategy)).toEqual(expectedState);
      resumed.dispose();
    });
    expect(weightsOf(resumedModel).map((values) => Array.from(values))).toEqual(expectedWeights);
    for (const model of [wholeModel, interruptedModel, resumedModel]) model.dispose();
    train.dispose();
  });

  it('refuses a checkpoint whose state does not fit the strategies, in one line', async () => {
    const train = data();
    const model = student(1);
    const distiller = distillerFor(model, []);
    const states: TrainingState[] = [];
    distiller.on('batchEnd', ({ step }) => {
      if (step === 2) distiller.interrupt();
    });
    await distiller
      .fit(train, { diagnoseTeachers: false, checkpoint: { everySteps: 100, save: async (s) => void states.push(s) } })
      .catch(() => undefined);
    distiller.dispose();
    const saved = states.at(-1) as TrainingState;
    const other = distillerFor(model, []);
    await expect(other.fit(train, { diagnoseTeachers: false, resume: { ...saved, strategyState: [] } })).rejects.toThrow(
      /^checkpoint: strategy state: the checkpoint has 0, this experiment 2/,
    );
    other.dispose();
    model.dispose();
    train.dispose();
  });
});
