import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import type { Logger } from '../composition/Logger.js';
import type { Batch } from '../data/Batch.js';
import type { BatchOptions, Dataset } from '../data/Dataset.js';
import { TensorDataset } from '../data/TensorDataset.js';
import type { TrainingState } from '../state/TrainingState.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import type { EpochMetrics } from '../training/EpochMetrics.js';
import { TrainingInterrupted } from '../training/TrainingInterrupted.js';
import type { TrainingOptionsInput } from '../training/TrainingOptions.js';
import { MemoryTeacherOutputStore } from './MemoryTeacherOutputStore.js';
import type { TeacherOutputLayout } from './TeacherOutputLayout.js';
import type { TeacherOutputStore } from './TeacherOutputStore.js';
import type { TeacherOutputStoreFactory } from './TeacherOutputStoreFactory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Pulls the student's logits towards teacher 'a''s and records, per epoch, the teacher logits and the
 * tapped teacher feature it was given (by the example's first input value, which identifies it).
 */
class MatchTeacher implements DistillationStrategy {
  readonly key = 'test.match-teacher';
  readonly taps = { teachers: { a: ['a_hidden1'] } };
  readonly seen = new Map<string, number[]>();

  loss(context: DistillationContext): tf.Scalar {
    const teacher = context.teachers[0] as DistillationContext['teachers'][number];
    const ids = tf.slice(context.inputs, [0, 0], [-1, 1]).dataSync();
    const logits = teacher.logits.arraySync();
    const hidden = (teacher.features.a_hidden1 as tf.Tensor2D).arraySync();
    ids.forEach((id: number, k: number) => {
      this.seen.set(`${context.epoch}:${id}`, [...(logits[k] as number[]), ...(hidden[k] as number[])]);
    });
    return tf.mean(tf.squaredDifference(context.student.logits, teacher.logits)) as tf.Scalar;
  }
}

function plugin(strategy: MatchTeacher): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(StrategyFactory).toConstantValue({ key: strategy.key, description: 'test', create: () => strategy });
  });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line), warn: (line) => lines.push(line) };
}

/** 40 examples of 5 features; each example's first feature is its number, so strategies can tell them apart. */
function numberedData(anonymous = false): TensorDataset {
  const source = new IndexedDataset(gaussianClusters({ examples: 40, features: 5, classes: 3, seed: 4 }));
  const [inputs, labels] = tf.tidy(() => {
    const batch = [...source.batches({ batchSize: 40, shuffle: false, seed: 0, epoch: 0 })][0] as Batch;
    const numbered = tf.concat([tf.reshape(tf.range(0, 40), [40, 1]), tf.slice(batch.inputs, [0, 1], [-1, 4])], 1);
    return [numbered, batch.labels];
  });
  return new TensorDataset(inputs, labels, anonymous ? undefined : 'numbered-40');
}

/** The same dataset, with an augmentation that adds 100 to every input on training passes. */
function augmented(data: TensorDataset): Dataset {
  return {
    id: `${data.id}+plus100`,
    size: data.size,
    inputShape: data.inputShape,
    randomlyAugmented: true,
    *batches(options: BatchOptions): Iterable<Batch> {
      for (const batch of data.batches(options)) {
        if (options.augment !== true) {
          yield batch;
          continue;
        }
        const shifted = tf.add(
          batch.inputs,
          tf.concat([tf.zeros([batch.inputs.shape[0] as number, 1]), tf.fill([batch.inputs.shape[0] as number, 4], 100)], 1),
        );
        batch.inputs.dispose();
        yield { ...batch, inputs: shifted };
      }
    },
  };
}

/**
 * The same dataset, with an augmentation drawn per (seed, epoch): training passes add 10 · epoch + seed to every
 * feature but the number, so each epoch's teacher outputs differ, as random crops make them differ.
 */
function augmentedPerEpoch(data: TensorDataset): Dataset {
  return {
    id: `${data.id}+plusEpoch`,
    size: data.size,
    inputShape: data.inputShape,
    randomlyAugmented: true,
    *batches(options: BatchOptions): Iterable<Batch> {
      for (const batch of data.batches(options)) {
        if (options.augment !== true) {
          yield batch;
          continue;
        }
        const rows = batch.inputs.shape[0] as number;
        const shift = 10 * options.epoch + options.seed;
        const shifted = tf.tidy(() => tf.add(batch.inputs, tf.concat([tf.zeros([rows, 1]), tf.fill([rows, 4], shift)], 1)));
        batch.inputs.dispose();
        yield { ...batch, inputs: shifted };
      }
    },
  };
}

/** A store that outlives its Distiller, as files do: complete stores are kept by key for later `find`s. */
class PersistentStores implements TeacherOutputStoreFactory {
  readonly completed = new Map<string, MemoryTeacherOutputStore>();
  created = 0;

  async find(layout: TeacherOutputLayout): Promise<TeacherOutputStore | undefined> {
    const found = this.completed.get(layout.key);
    if (found === undefined) return undefined;
    return {
      complete: true,
      location: `persistent:${layout.key.slice(0, 8)}`,
      write: () => {
        throw new Error('a complete store is read-only');
      },
      read: (entry, rows, out) => found.read(entry, rows, out),
      finish: async () => {},
      close: async () => {},
    };
  }

  async create(layout: TeacherOutputLayout): Promise<TeacherOutputStore> {
    this.created++;
    const store = new MemoryTeacherOutputStore(layout);
    return {
      complete: false,
      location: `persistent:${layout.key.slice(0, 8)}`,
      write: (entry, rows, values) => store.write(entry, rows, values),
      read: (entry, rows, out) => store.read(entry, rows, out),
      finish: async () => {
        this.completed.set(layout.key, store);
      },
      close: async () => {},
    };
  }
}

interface Run {
  history: EpochMetrics[];
  states: TrainingState[];
  weights: number[][];
  strategy: MatchTeacher;
  log: string[];
}

async function train(options: {
  teacher: tfl.LayersModel;
  data: Dataset;
  cache?: TrainingOptionsInput['teacherCache'];
  stores?: TeacherOutputStoreFactory;
  epochs?: number;
  seed?: number;
  /** Interrupt after this optimizer step, keeping the state (`Run.states`). */
  interruptAfterStep?: number;
  resume?: TrainingState;
}): Promise<Run> {
  const strategy = new MatchTeacher();
  const logger = recordingLogger();
  const student = fixtureMlp({ inputSize: 5, hidden: [6], classes: 3, prefix: 's', seed: 9 });
  const distiller = createDistiller({
    teachers: [{ name: 'a', model: options.teacher }],
    student: { model: student },
    strategies: [{ key: 'task.ce' }, { key: strategy.key }],
    plugins: [plugin(strategy)],
    training: {
      epochs: options.epochs ?? 3,
      batchSize: 16,
      seed: options.seed ?? 2,
      ...(options.cache ? { teacherCache: options.cache } : {}),
    },
    backend: 'cpu',
    logger,
    ...(options.stores ? { teacherOutputStores: options.stores } : {}),
  });
  const states: TrainingState[] = [];
  distiller.on('batchEnd', ({ step }) => {
    if (step === options.interruptAfterStep) distiller.interrupt();
  });
  const history = await distiller
    .fit(options.data, {
      diagnoseTeachers: false,
      checkpoint: { everySteps: 0, save: async (state) => void states.push(state) },
      ...(options.resume === undefined ? {} : { resume: options.resume }),
    })
    .catch((error: unknown) => {
      if (!(error instanceof TrainingInterrupted)) throw error;
      return [] as EpochMetrics[];
    });
  const weights = (await weightsOf(student)).map((values) => Array.from(values));
  distiller.dispose();
  student.dispose();
  return { history, weights, strategy, log: logger.lines, states };
}

const teacherOf = () => fixtureMlp({ inputSize: 5, hidden: [7], classes: 3, prefix: 'a', seed: 5 });
const cacheCounts = (history: EpochMetrics[]) => history.map((epoch) => epoch.teacherCache);

describe('the teacher-output cache', () => {
  it('computes each example’s teacher outputs in the first epoch and reads them back after, training to the same weights', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const cached = await train({ teacher, data });
    const uncached = await train({ teacher, data, cache: { enabled: false } });
    // 40 examples in batches of 16: 3 batches per epoch, all computed in epoch 0, all read after.
    expect(cacheCounts(cached.history)).toEqual([
      { hits: 0, misses: 3 },
      { hits: 3, misses: 0 },
      { hits: 3, misses: 0 },
    ]);
    expect(cacheCounts(uncached.history)).toEqual([undefined, undefined, undefined]);
    expect(cached.log.some((line) => line.includes('teacher cache: 1 teacher(s), 2 output(s), 40 examples'))).toBe(true);
    expect(cached.weights).toEqual(uncached.weights);
    expect(cached.history.map((epoch) => epoch.loss)).toEqual(uncached.history.map((epoch) => epoch.loss));
    // The cached logits and tapped features of every example are what the teacher computes.
    for (let id = 0; id < 40; id++) expect(cached.strategy.seen.get(`2:${id}`)).toEqual(uncached.strategy.seen.get(`2:${id}`));
    data.dispose();
    teacher.dispose();
  });

  it('keeps float16 outputs within half precision of the teacher’s', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const half = await train({ teacher, data, cache: { precision: 'float16' }, epochs: 2 });
    for (let id = 0; id < 40; id++) {
      const exact = half.strategy.seen.get(`0:${id}`) as number[];
      const rounded = half.strategy.seen.get(`1:${id}`) as number[];
      rounded.forEach((value, i) => {
        expect(Math.abs(value - (exact[i] as number))).toBeLessThanOrEqual(Math.abs(exact[i] as number) * 2 ** -11 + 1e-7);
      });
      expect(rounded).not.toEqual(exact);
    }
    data.dispose();
    teacher.dispose();
  });

  it('is found complete by a later run with the same teacher, and rebuilt when the teacher’s weights change', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const stores = new PersistentStores();
    // A tiny memory budget sends the cache to the persistent store.
    const cache = { memoryBudgetMB: 1e-6 };
    const first = await train({ teacher, data, cache, stores });
    expect(cacheCounts(first.history)[0]).toEqual({ hits: 0, misses: 3 });
    const second = await train({ teacher, data, cache, stores });
    expect(cacheCounts(second.history)[0]).toEqual({ hits: 3, misses: 0 });
    expect(second.log.some((line) => line.includes('complete from an earlier run'))).toBe(true);
    expect(second.weights).toEqual(first.weights);
    expect(stores.created).toBe(1);

    const dense = teacher.getLayer('a_hidden1');
    const [kernel, bias] = dense.getWeights() as [tf.Tensor, tf.Tensor];
    const nudged = tf.add(kernel, 0.01);
    dense.setWeights([nudged, bias]);
    nudged.dispose();
    const changed = await train({ teacher, data, cache, stores });
    expect(cacheCounts(changed.history)[0]).toEqual({ hits: 0, misses: 3 });
    expect(stores.created).toBe(2);
    expect(changed.strategy.seen.get('0:5')).not.toEqual(first.strategy.seen.get('0:5'));
    data.dispose();
    teacher.dispose();
  });

  it('is bypassed on randomly augmented data, and says why', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const run = await train({ teacher, data: augmented(data), epochs: 2 });
    expect(cacheCounts(run.history)).toEqual([undefined, undefined]);
    expect(run.log.some((line) => line.startsWith('teacher cache: bypassed') && line.includes('randomly augmented'))).toBe(true);
    data.dispose();
    teacher.dispose();
  });

  it('with augmentedData: unaugmented, serves outputs on the un-augmented inputs from the first step', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const run = await train({ teacher, data: augmented(data), cache: { augmentedData: 'unaugmented' }, epochs: 2 });
    expect(cacheCounts(run.history)).toEqual([
      { hits: 3, misses: 0 },
      { hits: 3, misses: 0 },
    ]);
    expect(run.log.some((line) => line.includes('filled now from the un-augmented inputs'))).toBe(true);
    const plain = await train({ teacher, data, cache: { enabled: false }, epochs: 1 });
    for (let id = 0; id < 40; id++) expect(run.strategy.seen.get(`1:${id}`)).toEqual(plain.strategy.seen.get(`0:${id}`));
    data.dispose();
    teacher.dispose();
  });

  it('with augmentedData: per-epoch, keeps each epoch’s outputs on its augmented batches for a later run with the same seed', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const stores = new PersistentStores();
    const cache = { augmentedData: 'per-epoch' as const };
    const first = await train({ teacher, data: augmentedPerEpoch(data), cache, stores, epochs: 2 });
    // Nothing is reused within a run: every epoch's inputs are new.
    expect(cacheCounts(first.history)).toEqual([
      { hits: 0, misses: 3 },
      { hits: 0, misses: 3 },
    ]);
    expect(first.log.filter((line) => line.includes('augmented batches computed and kept in persistent:'))).toHaveLength(2);
    const second = await train({ teacher, data: augmentedPerEpoch(data), cache, stores, epochs: 2 });
    expect(cacheCounts(second.history)).toEqual([
      { hits: 3, misses: 0 },
      { hits: 3, misses: 0 },
    ]);
    expect(second.log.some((line) => line.startsWith("teacher cache: epoch 2's augmented batches read from persistent:"))).toBe(
      true,
    );
    // The reader saw exactly what the computing run saw, epoch by epoch, and trained to the same weights.
    expect([...second.strategy.seen]).toEqual([...first.strategy.seen]);
    expect(second.weights).toEqual(first.weights);
    expect(first.strategy.seen.get('1:7')).not.toEqual(first.strategy.seen.get('0:7'));
    // And those are the teacher's outputs on the augmented inputs, as an uncached run computes them.
    const uncached = await train({ teacher, data: augmentedPerEpoch(data), cache: { enabled: false }, epochs: 2 });
    expect([...uncached.strategy.seen]).toEqual([...first.strategy.seen]);
    // Another seed draws other batches: a new key.
    const otherSeed = await train({ teacher, data: augmentedPerEpoch(data), cache, stores, epochs: 1, seed: 3 });
    expect(cacheCounts(otherSeed.history)).toEqual([{ hits: 0, misses: 3 }]);
    expect(stores.created).toBe(3);
    data.dispose();
    teacher.dispose();
  });

  it('with augmentedData: per-epoch, completes the epoch a run was interrupted in when it resumes, for later runs to read', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const cache = { augmentedData: 'per-epoch' as const };
    const uninterrupted = await train({
      teacher,
      data: augmentedPerEpoch(data),
      cache,
      stores: new PersistentStores(),
      epochs: 2,
    });
    const stores = new PersistentStores();
    // 3 batches an epoch: step 4 is epoch 1's second batch, so epoch 0's store is complete and epoch 1's is not.
    const interrupted = await train({ teacher, data: augmentedPerEpoch(data), cache, stores, epochs: 2, interruptAfterStep: 4 });
    expect(stores.completed.size).toBe(1);
    const state = interrupted.states.at(-1) as TrainingState;
    expect([state.epoch, state.batch]).toEqual([1, 2]);
    const resumed = await train({ teacher, data: augmentedPerEpoch(data), cache, stores, epochs: 2, resume: state });
    // The skipped batches were computed again to fill the store, without counting as training batches.
    expect(resumed.weights).toEqual(uninterrupted.weights);
    expect(stores.completed.size).toBe(2);
    const later = await train({ teacher, data: augmentedPerEpoch(data), cache, stores, epochs: 2 });
    expect(cacheCounts(later.history)).toEqual([
      { hits: 3, misses: 0 },
      { hits: 3, misses: 0 },
    ]);
    expect(later.weights).toEqual(uninterrupted.weights);
    data.dispose();
    teacher.dispose();
  });

  it('with augmentedData: per-epoch, is off without a disk store or over diskBudgetMB, and says which', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    const noStore = await train({ teacher, data: augmentedPerEpoch(data), cache: { augmentedData: 'per-epoch' }, epochs: 2 });
    expect(cacheCounts(noStore.history)).toEqual([undefined, undefined]);
    expect(noStore.log).toContain(
      "teacher cache: off (augmentedData 'per-epoch' keeps each epoch's outputs on disk for later runs, and there is no disk store here)",
    );
    const stores = new PersistentStores();
    // 40 rows of 3 logits and 7 hidden values in float32: 1600 bytes an epoch, 3200 for two.
    const overBudget = await train({
      teacher,
      data: augmentedPerEpoch(data),
      cache: { augmentedData: 'per-epoch', diskBudgetMB: 3000 / 2 ** 20 },
      stores,
      epochs: 2,
    });
    expect(cacheCounts(overBudget.history)).toEqual([undefined, undefined]);
    expect(overBudget.log.some((line) => line.includes('MiB for 2 epochs, exceed teacherCache.diskBudgetMB'))).toBe(true);
    expect(stores.created).toBe(0);
    data.dispose();
    teacher.dispose();
  });

  it('is off, and says so, without a dataset id or when over the memory budget with no disk store', async () => {
    const teacher = teacherOf();
    const anonymous = numberedData(true);
    const noId = await train({ teacher, data: anonymous, epochs: 1 });
    expect(cacheCounts(noId.history)).toEqual([undefined]);
    expect(noId.log).toContain('teacher cache: off (the training data has no id to key it by; give the dataset an id)');
    const data = numberedData();
    const overBudget = await train({ teacher, data, cache: { memoryBudgetMB: 1e-6 }, epochs: 1 });
    expect(cacheCounts(overBudget.history)).toEqual([undefined]);
    expect(
      overBudget.log.some((line) => /exceed teacherCache\.memoryBudgetMB = 0\.000001 and there is no disk store/.test(line)),
    ).toBe(true);
    anonymous.dispose();
    data.dispose();
    teacher.dispose();
  });

  it('leaks no tensor over a cached run', async () => {
    const teacher = teacherOf();
    const data = numberedData();
    await train({ teacher, data, epochs: 1 });
    await expectNoLeaks(() => train({ teacher, data, epochs: 3 }).then(() => undefined));
    data.dispose();
    teacher.dispose();
  });
});
