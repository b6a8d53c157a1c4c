import type { Logger } from '../composition/Logger.js';
import type { Batch } from '../data/Batch.js';
import type { Dataset } from '../data/Dataset.js';
import type { Teacher } from '../models/Teacher.js';
import type { TeacherView } from '../models/TeacherView.js';
import type { TeacherOutputs } from '../strategy/TeacherOutputs.js';
import type { TrainingOptions } from '../training/TrainingOptions.js';
import { disposeTeacherOutputs } from './disposeTeacherOutputs.js';
import { TeacherOutputCache } from './TeacherOutputCache.js';
import type { TeacherOutputStoreFactory } from './TeacherOutputStoreFactory.js';

/**
 * Where a training step's teacher outputs come from: the frozen teachers, run in inference mode, or
 * the teacher-output cache when it holds every example of the batch. It decides between the two, keeps
 * the cache filled as training goes, and owns the cache for the length of one `fit`.
 */
export class TeacherOutputSource {
  private opened: TeacherOutputCache | undefined;
  /** With per-epoch caches: the training data and the epoch whose cache is open. */
  private perEpoch: { train: Dataset; epoch: number } | undefined;

  constructor(
    private readonly teachers: readonly Teacher[],
    /** One per teacher, in the same order, with the taps the strategies asked for. */
    private readonly views: readonly TeacherView[],
    private readonly numClasses: number,
    private readonly options: Pick<TrainingOptions, 'batchSize' | 'teacherCache' | 'seed' | 'shuffle' | 'epochs'>,
    private readonly logger: Logger,
    private readonly stores: TeacherOutputStoreFactory | undefined,
  ) {}

  /** The cache of the `fit` in progress, if one applies. */
  get cache(): TeacherOutputCache | undefined {
    return this.opened;
  }

  /**
   * Every teacher's outputs on `batch` (in inference mode), without the forward pass's intermediates: fresh tensors the
   * caller disposes. Teachers run one after another, as each may use every core (an ONNX session's threads).
   */
  async compute(batch: Batch): Promise<TeacherOutputs[]> {
    const outputs: TeacherOutputs[] = [];
    try {
      for (const [k, view] of this.views.entries()) {
        outputs.push({ name: this.teachers[k]?.name as string, ...(await view.predict(batch.inputs)) });
      }
    } catch (error) {
      disposeTeacherOutputs(outputs);
      throw error;
    }
    return outputs;
  }

  /** The teachers' outputs on `batch`, from the cache when it has them; fresh tensors the caller disposes. */
  async forStep(batch: Batch): Promise<TeacherOutputs[]> {
    const cache = this.opened;
    if (cache?.covers(batch)) return cache.read(batch);
    const outputs = await this.compute(batch);
    if (cache !== undefined && !cache.fillBeforeTraining) {
      try {
        await cache.write(batch, outputs);
      } catch (error) {
        disposeTeacherOutputs(outputs);
        throw error;
      }
    }
    return outputs;
  }

  /**
   * Caches the teachers' outputs on a batch a resumed run skips, so that the cache ends its first epoch
   * as full as the uninterrupted run's did.
   */
  async coverSkipped(batch: Batch): Promise<void> {
    const cache = this.opened;
    if (cache === undefined || cache.fillBeforeTraining || cache.covers(batch)) return;
    const outputs = await this.compute(batch);
    try {
      await cache.write(batch, outputs);
    } finally {
      disposeTeacherOutputs(outputs);
    }
  }

  /**
   * Opens the cache for training on `train` (none when none applies; its log line says why), filling it
   * first when it must be complete before training: augmented data, a resumed run, or ahead of time. With
   * per-epoch caches (`augmentedData: 'per-epoch'`) it opens epoch `fromEpoch`'s; `beginEpoch` moves on.
   * `resumed`: the cache key the checkpoint was made with, to warn when this one differs.
   */
  async open(
    train: Dataset,
    when: { aheadOfTime?: boolean; fillNow?: boolean; fromEpoch?: number; resumed?: { key: string | null } } = {},
  ): Promise<TeacherOutputCache | undefined> {
    await this.close();
    const epoch = when.fromEpoch ?? 0;
    const cache = await this.openFor(train, epoch, when);
    this.opened = cache;
    const perEpoch = this.options.teacherCache.augmentedData === 'per-epoch' && train.randomlyAugmented === true;
    this.perEpoch = perEpoch && cache !== undefined ? { train, epoch } : undefined;
    // A per-epoch key changes every epoch by design; a whole-run one should be the checkpoint's.
    if (when.resumed !== undefined && !perEpoch && (cache?.key ?? null) !== when.resumed.key) {
      this.logger.warn('teacher cache: the checkpoint was made with other cached teacher outputs; continuing with these');
    }
    if (cache?.fillBeforeTraining) await cache.fill(train, this.options.batchSize, (batch) => this.compute(batch));
    return cache;
  }

  /** With per-epoch caches, opens epoch `epoch`'s (closing the last one's); otherwise nothing changes. */
  async beginEpoch(epoch: number): Promise<void> {
    const current = this.perEpoch;
    if (current === undefined || current.epoch === epoch) return;
    const last = this.opened;
    this.opened = undefined;
    this.perEpoch = undefined;
    await last?.close();
    this.opened = await this.openFor(current.train, epoch, {});
    this.perEpoch = this.opened === undefined ? undefined : { train: current.train, epoch };
  }

  private openFor(
    train: Dataset,
    epoch: number,
    when: { aheadOfTime?: boolean; fillNow?: boolean },
  ): Promise<TeacherOutputCache | undefined> {
    const { seed, batchSize, shuffle, epochs } = this.options;
    return TeacherOutputCache.open({
      dataset: train,
      teachers: this.teachers.map((teacher, k) => ({
        name: teacher.name,
        model: teacher.model,
        taps: (this.views[k] as TeacherView).tapShapes(),
      })),
      numClasses: this.numClasses,
      options: this.options.teacherCache,
      stores: this.stores,
      logger: this.logger,
      aheadOfTime: when.aheadOfTime === true,
      fillNow: when.fillNow === true,
      epoch: { seed, batchSize, shuffle, epoch },
      epochs,
    });
  }

  /** Closes the cache (its store keeps what was written). */
  async close(): Promise<void> {
    const cache = this.opened;
    this.opened = undefined;
    this.perEpoch = undefined;
    await cache?.close();
  }
}
