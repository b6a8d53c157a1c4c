import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '../composition/Logger.js';
import type { Batch } from '../data/Batch.js';
import type { Dataset } from '../data/Dataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import { teacherFingerprint } from '../models/teacherFingerprint.js';
import type { SymbolicShape } from '../strategy/TapShapes.js';
import type { TeacherOutputs } from '../strategy/TeacherOutputs.js';
import type { TeacherCacheOptions } from '../training/TrainingOptions.js';
import { disposeTeacherOutputs } from './disposeTeacherOutputs.js';
import { MemoryTeacherOutputStore } from './MemoryTeacherOutputStore.js';
import type { PerEpochBatches } from './PerEpochBatches.js';
import { sha256Hex } from './sha256Hex.js';
import type { TeacherCacheStats } from './TeacherCacheStats.js';
import type { TeacherOutputLayout } from './TeacherOutputLayout.js';
import type { TeacherOutputStore } from './TeacherOutputStore.js';
import type { TeacherOutputStoreFactory } from './TeacherOutputStoreFactory.js';

/** Bumped whenever what a cached row means changes, so older caches are never read. */
const layoutVersion = 1;
/** `teacherCache.diskBudgetMB` when unset (the schema leaves it out so that stage fingerprints stay as they were). */
const defaultDiskBudgetMB = 8192;

interface CachedTeacher {
  readonly name: string;
  readonly model: TeacherModel;
  /** The teacher's tapped layers and their shapes (batch axis null). */
  readonly taps: Readonly<Record<string, SymbolicShape>>;
}

/** One cached output: the teacher it belongs to, and the layer (undefined for the logits). */
interface Entry {
  readonly teacher: number;
  readonly layer: string | undefined;
  readonly shape: number[];
  readonly rowValues: number;
}

/**
 * Frozen teachers' outputs (logits and tapped features) for every training example, computed once and
 * read back afterwards, so that after the first epoch a distillation step costs the student's passes
 * alone. Rows are keyed by example position (`Batch.indices`); the whole cache by the dataset's id and
 * size, each teacher's fingerprint (weights and architecture: `teacherFingerprint`), the taps and the precision: a
 * cache under any other key is never read. With randomly augmented data it is off unless the options ask
 * for teacher outputs on un-augmented inputs, which are then filled in one pass before training, or for
 * one cache per epoch (`augmentedData: 'per-epoch'`): the outputs on that epoch's augmented batches, whose
 * pixels are a function of the data, seed, batch size and epoch, so those join the key, and which only a
 * later run can reuse, so they live in the disk store alone.
 */
export class TeacherOutputCache {
  readonly stats: TeacherCacheStats = { hits: 0, misses: 0 };
  private readonly filled: Uint8Array;
  private filledCount: number;
  private finished: boolean;

  private constructor(
    private readonly store: TeacherOutputStore,
    private readonly layout: TeacherOutputLayout,
    private readonly entries: readonly Entry[],
    private readonly teacherNames: readonly string[],
    /** Fill in one un-augmented pass before training rather than from the training batches. */
    readonly fillBeforeTraining: boolean,
  ) {
    this.finished = store.complete;
    this.filled = new Uint8Array(layout.examples).fill(store.complete ? 1 : 0);
    this.filledCount = store.complete ? layout.examples : 0;
  }

  /**
   * The cache for training on `dataset`, or undefined when it cannot be used, with one log line saying
   * which and why.
   */
  static async open(setup: {
    dataset: Dataset;
    teachers: readonly CachedTeacher[];
    numClasses: number;
    options: TeacherCacheOptions;
    stores: TeacherOutputStoreFactory | undefined;
    logger: Logger;
    /** Filling ahead of training (`distillery cache`): into the disk store whatever the size, in one pass. */
    aheadOfTime?: boolean;
    /** Filling in one pass before training (a run resumed after its first epoch), wherever it is kept. */
    fillNow?: boolean;
    /** With `augmentedData: 'per-epoch'`: the epoch whose augmented batches this cache holds, and how they were drawn. */
    epoch?: PerEpochBatches;
    /** With `augmentedData: 'per-epoch'`: the run's epochs, for `diskBudgetMB`. */
    epochs?: number;
  }): Promise<TeacherOutputCache | undefined> {
    const { dataset, teachers, numClasses, options, stores, logger } = setup;
    const aheadOfTime = setup.aheadOfTime === true;
    const perEpoch = options.augmentedData === 'per-epoch' && dataset.randomlyAugmented === true ? setup.epoch : undefined;
    if (aheadOfTime && stores === undefined) {
      throw new DistilleryError('teacher cache: filling ahead of training needs a disk store (teacherOutputStores)');
    }
    if (!options.enabled || teachers.length === 0) return undefined;
    if (dataset.id === undefined) {
      logger.info('teacher cache: off (the training data has no id to key it by; give the dataset an id)');
      return undefined;
    }
    const augmented = dataset.randomlyAugmented === true;
    if (augmented && options.augmentedData === 'bypass') {
      logger.info(
        `teacher cache: bypassed, since the training data (${dataset.id}) is randomly augmented and teachers see new inputs every epoch; ` +
          "teacherCache.augmentedData: 'unaugmented' caches their outputs on the un-augmented inputs instead",
      );
      return undefined;
    }
    if (perEpoch !== undefined || (augmented && options.augmentedData === 'per-epoch')) {
      if (aheadOfTime) {
        logger.info(
          "teacher cache: with augmentedData 'per-epoch' each epoch's outputs are kept by the first run that trains on them, not ahead of time",
        );
        return undefined;
      }
      if (stores === undefined) {
        logger.info(
          "teacher cache: off (augmentedData 'per-epoch' keeps each epoch's outputs on disk for later runs, and there is no disk store here)",
        );
        return undefined;
      }
      if (perEpoch === undefined)
        throw new Error("teacher cache: augmentedData 'per-epoch' opens one cache per epoch; say which");
    }
    const entries: Entry[] = [];
    const layoutEntries: { name: string; shape: number[] }[] = [];
    for (const [k, teacher] of teachers.entries()) {
      const outputs: [string | undefined, SymbolicShape][] = [[undefined, [null, numClasses]], ...Object.entries(teacher.taps)];
      for (const [layer, symbolic] of outputs) {
        const shape = symbolic.slice(1).map((dim, axis) => {
          if (dim === null) {
            throw new DistilleryError(
              `teacher cache: teacher '${teacher.name}' ${layer ?? 'logits'} axis ${axis + 1} has no fixed size; set teacherCache.enabled: false`,
            );
          }
          return dim;
        });
        entries.push({ teacher: k, layer, shape, rowValues: shape.reduce((size, dim) => size * dim, 1) });
        layoutEntries.push({ name: `${teacher.name}/${layer ?? 'logits'}`, shape });
      }
    }
    const fingerprints = await Promise.all(teachers.map((teacher) => teacherFingerprint(teacher.model)));
    const key = await sha256Hex(
      JSON.stringify({
        layoutVersion,
        dataset: dataset.id,
        examples: dataset.size,
        teachers: teachers.map((teacher, k) => ({ name: teacher.name, fingerprint: fingerprints[k] })),
        entries: layoutEntries,
        precision: options.precision,
        ...(perEpoch === undefined
          ? {}
          : {
              augmentedBatches: {
                seed: perEpoch.seed,
                batchSize: perEpoch.batchSize,
                shuffle: perEpoch.shuffle,
                epoch: perEpoch.epoch,
              },
            }),
      }),
    );
    const layout: TeacherOutputLayout = {
      key,
      examples: dataset.size,
      entries: layoutEntries,
      precision: options.precision,
    };
    const bytes = MemoryTeacherOutputStore.bytes(layout);
    const mib = (bytes / 2 ** 20).toFixed(1);
    if (perEpoch !== undefined) {
      const epochs = setup.epochs ?? 1;
      const allEpochs = (bytes * epochs) / 2 ** 20;
      const budget = options.diskBudgetMB ?? defaultDiskBudgetMB;
      if (allEpochs > budget) {
        logger.info(
          `teacher cache: off (${mib} MiB an epoch, ${allEpochs.toFixed(0)} MiB for ${epochs} epochs, exceed teacherCache.diskBudgetMB = ${budget})`,
        );
        return undefined;
      }
    }
    if (perEpoch !== undefined)
      return TeacherOutputCache.openEpoch(layout, entries, teachers, perEpoch, stores as TeacherOutputStoreFactory, logger);
    let store = await stores?.find(layout);
    if (store === undefined) {
      if (bytes <= options.memoryBudgetMB * 2 ** 20 && !aheadOfTime) {
        store = new MemoryTeacherOutputStore(layout);
      } else if (stores !== undefined) {
        store = await stores.create(layout);
      } else {
        logger.info(
          `teacher cache: off (${mib} MiB exceed teacherCache.memoryBudgetMB = ${options.memoryBudgetMB} and there is no disk store here)`,
        );
        return undefined;
      }
    }
    const fillBeforeTraining = (augmented || aheadOfTime || setup.fillNow === true) && !store.complete;
    logger.info(
      `teacher cache: ${teachers.length} teacher(s), ${layoutEntries.length} output(s), ${dataset.size} examples, ${mib} MiB ${options.precision} in ${store.location}; ` +
        (store.complete
          ? 'complete from an earlier run'
          : fillBeforeTraining
            ? augmented
              ? 'filled now from the un-augmented inputs'
              : 'filled now'
            : 'filled during the first epoch'),
    );
    return new TeacherOutputCache(
      store,
      layout,
      entries,
      teachers.map((teacher) => teacher.name),
      fillBeforeTraining,
    );
  }

  /** The cache of one epoch's augmented batches: always on disk, since only a later run reads it. */
  private static async openEpoch(
    layout: TeacherOutputLayout,
    entries: readonly Entry[],
    teachers: readonly CachedTeacher[],
    batches: PerEpochBatches,
    stores: TeacherOutputStoreFactory,
    logger: Logger,
  ): Promise<TeacherOutputCache> {
    const found = await stores.find(layout);
    const store = found ?? (await stores.create(layout));
    logger.info(
      `teacher cache: epoch ${batches.epoch + 1}'s augmented batches ` +
        (found === undefined ? `computed and kept in ${store.location}` : `read from ${store.location}, kept by an earlier run`),
    );
    return new TeacherOutputCache(
      store,
      layout,
      entries,
      teachers.map((teacher) => teacher.name),
      false,
    );
  }

  /** The hash of everything the cached values depend on (`TeacherOutputLayout.key`). */
  get key(): string {
    return this.layout.key;
  }

  /** Where the rows live: 'memory' or a path. */
  get location(): string {
    return this.store.location;
  }

  /** Whether every example of `batch` has its outputs cached. */
  covers(batch: Batch): boolean {
    const rows = batch.indices;
    if (rows === undefined) return false;
    if (this.finished) return true;
    for (let k = 0; k < rows.length; k++) if (this.filled[rows[k] as number] !== 1) return false;
    return true;
  }

  /** The cached outputs of `batch`'s examples, as fresh tensors the caller owns. Counts a hit. */
  read(batch: Batch): TeacherOutputs[] {
    const rows = batch.indices as Int32Array;
    this.stats.hits++;
    const logits: tf.Tensor2D[] = [];
    const features: Record<string, tf.Tensor>[] = this.teacherNames.map(() => ({}));
    this.entries.forEach((entry, e) => {
      const values = new Float32Array(rows.length * entry.rowValues);
      this.store.read(e, rows, values);
      const tensor = tf.tensor(values, [rows.length, ...entry.shape], 'float32');
      if (entry.layer === undefined) logits[entry.teacher] = tensor as tf.Tensor2D;
      else (features[entry.teacher] as Record<string, tf.Tensor>)[entry.layer] = tensor;
    });
    return this.teacherNames.map((name, k) => ({ name, logits: logits[k] as tf.Tensor2D, features: features[k] ?? {} }));
  }

  /** Stores `outputs`, computed on `batch`'s inputs, for its examples. Counts a miss. */
  async write(batch: Batch, outputs: readonly TeacherOutputs[]): Promise<void> {
    const rows = batch.indices;
    if (rows === undefined || this.finished) return;
    this.stats.misses++;
    const tensors = this.entries.map((entry) => {
      const output = outputs[entry.teacher] as TeacherOutputs;
      const tensor = entry.layer === undefined ? output.logits : output.features[entry.layer];
      if (tensor === undefined) throw new DistilleryError(`teacher cache: teacher '${output.name}' gave no '${entry.layer}'`);
      return tensor;
    });
    const values = await Promise.all(tensors.map((tensor) => tensor.data() as Promise<Float32Array>));
    for (const [e, rowValues] of values.entries()) this.store.write(e, rows, rowValues);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k] as number;
      if (this.filled[row] !== 1) {
        this.filled[row] = 1;
        this.filledCount++;
      }
    }
    if (this.filledCount === this.layout.examples) {
      await this.store.finish();
      this.finished = true;
    }
  }

  /**
   * Fills the cache in one pass over `dataset`, un-augmented and in order, with `compute` giving the
   * teachers' outputs for a batch (tensors this method disposes).
   */
  async fill(dataset: Dataset, batchSize: number, compute: (batch: Batch) => Promise<TeacherOutputs[]>): Promise<void> {
    for (const batch of dataset.batches({ batchSize, shuffle: false, seed: 0, epoch: 0, augment: false })) {
      let outputs: TeacherOutputs[] = [];
      try {
        outputs = await compute(batch);
        await this.write(batch, outputs);
      } finally {
        tf.dispose([batch.inputs, batch.labels]);
        disposeTeacherOutputs(outputs);
      }
    }
    this.stats.misses = 0;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
