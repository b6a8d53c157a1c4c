import * as tf from '@tensorflow/tfjs-core';
import { EventEmitter } from 'eventemitter3';
import { inject, injectable, multiInject, optional } from 'inversify';
import { BackendPreference } from '../backends/BackendPreference.js';
import { selectBackend } from '../backends/selectBackend.js';
import { Logger } from '../composition/Logger.js';
import type { Batch } from '../data/Batch.js';
import type { Dataset } from '../data/Dataset.js';
import { blameStrategy } from '../errors/blameStrategy.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { Evaluation } from '../evaluation/Evaluation.js';
import type { EvaluationMetrics } from '../evaluation/EvaluationMetrics.js';
import type { TeacherDiagnostics } from '../evaluation/TeacherDiagnostics.js';
import { ModelView } from '../models/ModelView.js';
import { Peer } from '../models/Peer.js';
import { Student } from '../models/Student.js';
import { Teacher } from '../models/Teacher.js';
import { createOptimizer } from '../optimizers/createOptimizer.js';
import type { TrainingState } from '../state/TrainingState.js';
import { type LoopPosition, TrainingStateKeeper } from '../state/TrainingStateKeeper.js';
import type { StrategyPretraining } from '../strategy/StrategyPretraining.js';
import { StrategyRegistry } from '../strategy/StrategyRegistry.js';
import { StrategySpec } from '../strategy/StrategySpec.js';
import { disposeTeacherOutputs } from '../teachers/disposeTeacherOutputs.js';
import { TeacherOutputSource } from '../teachers/TeacherOutputSource.js';
import { TeacherOutputStoreFactory } from '../teachers/TeacherOutputStoreFactory.js';
import { checkPeerClasses } from './checkPeerClasses.js';
import { createObjectiveTerms } from './createObjectiveTerms.js';
import type { DistillerEvents } from './DistillerEvents.js';
import { describeStrategyState } from './describeStrategyState.js';
import { EpochLosses } from './EpochLosses.js';
import type { EpochMetrics } from './EpochMetrics.js';
import type { FitOptions } from './FitOptions.js';
import { learningRateAt } from './learningRateAt.js';
import { setLearningRate } from './setLearningRate.js';
import { TrainingInterrupted } from './TrainingInterrupted.js';
import { TrainingObjective } from './TrainingObjective.js';
import { TrainingOptions } from './TrainingOptions.js';
import { TrainingStep } from './TrainingStep.js';
import { tapModels } from './tapModels.js';
import { trainableVariables } from './trainableVariables.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';

export type { FitOptions } from './FitOptions.js';

/**
 * The training loop. Each step: the teachers run frozen in inference mode, the student in training
 * mode, every strategy adds `weight · loss` to the total, and the optimizer updates the student's and
 * the strategies' variables. Everything a step allocates is freed before the next one.
 */
@injectable()
export class Distiller extends EventEmitter<DistillerEvents> {
  readonly teachers: readonly Teacher[];
  /** Models trained together with the student (online distillation), in experiment order. */
  readonly peers: readonly Peer[];
  /** The optimizer updating the student and strategy variables; its state lives as long as the Distiller. */
  readonly optimizer: tf.Optimizer;
  private readonly objective: TrainingObjective;
  private readonly evaluation: Evaluation;
  private readonly trainable: tf.Variable[];
  private readonly stateKeeper: TrainingStateKeeper;
  private backend: string | undefined;
  /** Set by `fit` (or `diagnoseTeachers`) before training when the experiment has teachers. */
  diagnostics: TeacherDiagnostics | undefined;
  private stopRequested = false;
  private interruptRequested = false;
  private readonly teacherSource: TeacherOutputSource;
  private readonly trainingStep: TrainingStep;

  constructor(
    @inject(Student) readonly student: Student,
    @multiInject(Teacher) @optional() teachers: Teacher[] | undefined,
    @multiInject(StrategySpec) specs: StrategySpec[],
    @inject(StrategyRegistry) registry: StrategyRegistry,
    @inject(TrainingOptions) readonly options: TrainingOptions,
    @inject(Logger) private readonly logger: Logger,
    @inject(BackendPreference) private readonly backendPreference: BackendPreference,
    @inject(TeacherOutputStoreFactory) @optional() teacherOutputStores?: TeacherOutputStoreFactory,
    @multiInject(Peer) @optional() peers?: Peer[],
  ) {
    super();
    this.teachers = teachers ?? [];
    this.peers = peers ?? [];
    const terms = createObjectiveTerms(specs, registry, {
      teachers: this.teachers,
      studentName: student.name,
      seed: options.seed,
    });
    const { studentView, teacherViews } = tapModels(terms, student, this.teachers, logger);
    const peerViews = this.peers.map(({ name, model }) => new ModelView(`peer '${name}'`, model, [], logger));
    checkPeerClasses(peerViews, studentView.numClasses);
    const strategyVariables = terms.flatMap(({ strategy }) => [...(strategy.variables?.() ?? [])]);
    this.trainable = trainableVariables(student, this.peers, strategyVariables);
    const peerModels = this.peers.map(({ name }, p) => ({ name, view: peerViews[p] as ModelView }));
    this.objective = new TrainingObjective(terms, studentView, this.trainable, peerModels, student.trainable !== false);
    this.optimizer = createOptimizer(options.optimizer);
    this.teacherSource = new TeacherOutputSource(
      this.teachers,
      teacherViews,
      studentView.numClasses,
      options,
      logger,
      teacherOutputStores,
    );
    this.evaluation = new Evaluation(
      new ModelView('student', student.model, [], { info() {}, warn() {} }),
      this.teachers,
      teacherViews,
      this.teacherSource,
      terms,
      options.batchSize,
      peerModels,
    );
    const strategyState = () => terms.flatMap(({ strategy }) => [...(strategy.state?.() ?? [])]);
    this.stateKeeper = new TrainingStateKeeper(
      student.model,
      this.trainable,
      strategyVariables,
      this.optimizer,
      strategyState,
      this.peers,
    );
    this.trainingStep = new TrainingStep(this.objective, this.teacherSource, this.optimizer, this.trainable, options, logger);
  }

  /** Loss term names, in strategy order. */
  get termNames(): string[] {
    return this.objective.terms.map((term) => term.name);
  }

  /** The stages the strategies need before this one (see {@link StrategyPretraining}), by term name. */
  pretrainings(): { readonly term: string; readonly pretraining: StrategyPretraining }[] {
    return this.objective.terms.flatMap(({ name, strategy }) =>
      strategy.pretraining ? [{ term: name, pretraining: strategy.pretraining }] : [],
    );
  }

  /** Variables owned by strategies (adapters), trained with the student. */
  strategyVariables(): tf.Variable[] {
    return this.objective.terms.flatMap(({ strategy }) => [...(strategy.variables?.() ?? [])]);
  }

  /** Variables strategies keep as state (memory banks): checkpointed, not trained. */
  strategyState(): tf.Variable[] {
    return this.objective.terms.flatMap(({ strategy }) => [...(strategy.state?.() ?? [])]);
  }

  /** Ends `fit` after the current batch. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * The kernels one training step runs on `sample` (loss and gradients), found by profiling it on
   * the current backend. No weight changes.
   */
  async requiredKernels(sample: Batch): Promise<string[]> {
    const profile = await tf.profile(async () => {
      const teachers = await this.teacherSource.compute(sample);
      try {
        return tf.tidy(() => {
          const { terms, grads } = this.objective.lossAndGradients(sample, teachers, this.trainingStep.position(0, 1), true);
          return [terms, ...Object.values(grads)];
        });
      } finally {
        disposeTeacherOutputs(teachers);
      }
    });
    tf.dispose(profile.result as tf.Tensor[]);
    // The profile also lists op scopes (`fusedMatMul__op`); only names with a kernel here are kernels.
    const backend = tf.getBackend();
    return [...new Set(profile.kernelNames)].filter((name) => tf.getKernel(name, backend) !== undefined).sort();
  }

  /** Each strategy's `prepare` with the training set's size (strategies keep what still fits). */
  private prepareStrategies(train: Dataset): void {
    this.objective.terms.forEach(({ key, strategy }, i) => {
      blameStrategy(i, key, 'preparing for training', () => strategy.prepare?.({ size: train.size }));
    });
  }

  /** Chooses and switches to the experiment's backend, once, using one small batch of `data`. */
  async useBackend(data: Dataset): Promise<string> {
    if (this.backend !== undefined) return this.backend;
    const first = data
      .batches({ batchSize: Math.min(2, data.size), shuffle: false, seed: 0, epoch: 0 })
      [Symbol.iterator]()
      .next();
    if (first.done === true) throw new DistilleryError('training data: the dataset is empty');
    // The probe runs every loss, so state sized by the training set must exist first.
    this.prepareStrategies(data);
    try {
      const kernels = await this.requiredKernels(first.value);
      this.backend = await selectBackend(this.backendPreference, kernels, this.logger);
    } finally {
      tf.dispose([first.value.inputs, first.value.labels]);
    }
    return this.backend;
  }

  /** Trains for `options.epochs` epochs and returns each epoch's metrics. */
  async fit(train: Dataset, fitOptions: FitOptions = {}): Promise<EpochMetrics[]> {
    this.prepareStrategies(train);
    const stateLine = describeStrategyState(this.objective.terms);
    if (stateLine !== undefined) this.logger.info(stateLine);
    const backend = await this.useBackend(train);
    this.stopRequested = false;
    this.interruptRequested = false;
    if (this.teachers.length > 0 && fitOptions.diagnoseTeachers !== false) {
      this.diagnostics = await this.diagnoseTeachers(fitOptions.validation ?? train);
      this.emit('teachersDiagnosed', this.diagnostics);
      for (const flag of this.diagnostics.flags) this.logger.warn(flag.message);
    }
    const resume = fitOptions.resume;
    if (resume !== undefined) {
      await this.stateKeeper.restore(resume);
      this.trainingStep.globalStep = resume.globalStep;
    }
    // A run resumed after its first epoch reads every teacher output from the cache, as the
    // uninterrupted run did (float16 values differ from computed ones), so the cache is filled first.
    try {
      const fromEpoch = resume?.epoch ?? 0;
      const resumed = resume === undefined ? {} : { resumed: { key: resume.teacherCacheKey } };
      await this.teacherSource.open(train, { fillNow: fromEpoch > 0, fromEpoch, ...resumed });
      return await this.trainEpochs(train, fitOptions, backend);
    } finally {
      await this.teacherSource.close();
    }
  }

  /**
   * Ends `fit` after the current batch, as `stop` does, but as an interruption: the state is kept
   * through `FitOptions.checkpoint`, and `fit` rejects with {@link TrainingInterrupted}.
   */
  interrupt(): void {
    this.interruptRequested = true;
  }

  /**
   * Everything needed to continue training from here (see {@link TrainingState}); `position` says where
   * the loop is. Copies every value, so training may go on while the state is being written.
   */
  captureState(position: LoopPosition): Promise<TrainingState> {
    return this.stateKeeper.capture(position, this.trainingStep.globalStep, this.teacherSource.cache?.key ?? null);
  }

  private async trainEpochs(train: Dataset, fitOptions: FitOptions, backend: string): Promise<EpochMetrics[]> {
    const { epochs, batchSize } = this.options;
    const callbacks = fitOptions.callbacks ?? [];
    const stepsPerEpoch = Math.ceil(train.size / batchSize);
    const resume = fitOptions.resume;
    const checkpoint = fitOptions.checkpoint;
    const everySteps = checkpoint?.everySteps ?? 0;
    const history: EpochMetrics[] = [...(resume?.history ?? [])];
    const begin = {
      epochs,
      stepsPerEpoch,
      backend,
      terms: this.termNames,
      teacherCache: this.teacherSource.cache?.location ?? 'off',
      ...(resume === undefined ? {} : { resumedFrom: { epoch: resume.epoch, batch: resume.batch, history: resume.history } }),
    };
    this.emit('trainBegin', begin);
    for (const callback of callbacks) await callback.onTrainBegin?.(begin);

    for (let epoch = resume?.epoch ?? 0; epoch < epochs && !this.stopRequested; epoch++) {
      const started = performance.now();
      await this.teacherSource.beginEpoch(epoch);
      this.emit('epochBegin', { epoch });
      for (const callback of callbacks) await callback.onEpochBegin?.({ epoch });
      const resuming = resume !== undefined && epoch === resume.epoch;
      const losses = new EpochLosses(this.objective.width, resuming ? resume.epochSums : []);
      let skip = resuming ? resume.batch : 0;
      const cacheBefore = { ...(this.teacherSource.cache?.stats ?? { hits: 0, misses: 0 }) };
      let batchIndex = 0;
      let learningRate = learningRateAt(this.options, this.trainingStep.globalStep, stepsPerEpoch);
      const batchOptions = { batchSize, shuffle: this.options.shuffle, seed: this.options.seed, epoch, augment: true };
      for (const batch of train.batches(batchOptions)) {
        if (skip > 0) {
          // Batches come in an order fixed by (seed, epoch), so skipping them reaches where the run stopped.
          skip--;
          batchIndex++;
          try {
            await this.teacherSource.coverSkipped(batch);
          } finally {
            tf.dispose([batch.inputs, batch.labels]);
          }
          continue;
        }
        const step = this.trainingStep;
        learningRate = learningRateAt(this.options, step.globalStep, stepsPerEpoch);
        setLearningRate(this.optimizer, learningRate);
        let values: number[];
        try {
          values = await step.run(batch, epoch, stepsPerEpoch);
        } finally {
          tf.dispose([batch.inputs, batch.labels]);
        }
        await yieldToEventLoop();
        if (!step.skipped) losses.add(values);
        const event = {
          epoch,
          batch: batchIndex,
          step: step.globalStep - 1,
          learningRate,
          losses: this.objective.byTerm(values),
          total: values[this.objective.terms.length] as number,
          ...withParts(this.objective.partsByTerm(values)),
        };
        batchIndex++;
        this.emit('batchEnd', event);
        for (const callback of callbacks) await callback.onBatchEnd?.(event);
        const position = { epoch, batch: batchIndex, history, epochSums: losses.toArray() };
        if (this.interruptRequested) {
          if (checkpoint !== undefined) await checkpoint.save(await this.captureState(position));
          throw new TrainingInterrupted(
            `interrupted at epoch ${epoch}, batch ${batchIndex} of ${stepsPerEpoch} (step ${step.globalStep})` +
              (checkpoint === undefined ? '' : '; the state is saved'),
          );
        }
        if (checkpoint !== undefined && everySteps > 0 && step.globalStep % everySteps === 0 && batchIndex < stepsPerEpoch) {
          await checkpoint.save(await this.captureState(position));
        }
        if (this.stopRequested) break;
      }
      const means = losses.means();
      const validation = fitOptions.validation === undefined ? undefined : await this.evaluate(fitOptions.validation);
      const metrics: EpochMetrics = {
        epoch,
        loss: means[this.objective.terms.length] as number,
        losses: this.objective.byTerm(means),
        ...withParts(this.objective.partsByTerm(means)),
        learningRate,
        seconds: (performance.now() - started) / 1000,
        ...(validation === undefined ? {} : { validation }),
        ...(this.teacherSource.cache === undefined
          ? {}
          : {
              teacherCache: {
                hits: this.teacherSource.cache.stats.hits - cacheBefore.hits,
                misses: this.teacherSource.cache.stats.misses - cacheBefore.misses,
              },
            }),
      };
      history.push(metrics);
      this.emit('epochEnd', { epoch, metrics });
      for (const callback of callbacks) await callback.onEpochEnd?.({ epoch, metrics });
      if (checkpoint !== undefined) {
        await checkpoint.save(await this.captureState({ epoch: epoch + 1, batch: 0, history, epochSums: [] }));
      }
    }
    this.emit('trainEnd', { history });
    for (const callback of callbacks) await callback.onTrainEnd?.({ history });
    return history;
  }

  /**
   * One optimizer step on `batch`; returns each term's unweighted loss, then the weighted total. A
   * non-finite loss never reaches the weights (see {@link TrainingStep.run}).
   */
  step(batch: Batch, epoch = 0, stepsPerEpoch = 1): Promise<number[]> {
    return this.trainingStep.run(batch, epoch, stepsPerEpoch);
  }

  /**
   * Fills the teacher-output cache for training on `train` now, in the experiment's disk store, so that
   * a later `fit` with the same teachers and data finds it complete. Returns where it went, or undefined
   * when no cache applies to this training (the log line says why).
   */
  async cacheTeacherOutputs(train: Dataset): Promise<string | undefined> {
    await this.useBackend(train);
    const cache = await this.teacherSource.open(train, { aheadOfTime: true });
    await this.teacherSource.close();
    return cache?.location;
  }

  /** Student loss, accuracy and agreement with each teacher on `data`, in inference mode. */
  evaluate(data: Dataset): Promise<EvaluationMetrics> {
    return this.evaluation.evaluate(data);
  }

  /**
   * Each teacher's accuracy and calibration, how often teachers agree, and the accuracy of their
   * ensembles (mean of probabilities, and each strategy's own combination), on `data`.
   */
  diagnoseTeachers(data: Dataset): Promise<TeacherDiagnostics> {
    return this.evaluation.diagnoseTeachers(data);
  }

  /** Frees the optimizer state and the strategies' variables. The models stay the caller's. */
  dispose(): void {
    this.optimizer.dispose();
    for (const { strategy } of this.objective.terms) strategy.dispose?.();
    this.removeAllListeners();
  }
}

function withParts(lossParts: Record<string, Record<string, number>> | undefined) {
  return lossParts === undefined ? {} : { lossParts };
}
