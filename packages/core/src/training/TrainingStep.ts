import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '../composition/Logger.js';
import type { Batch } from '../data/Batch.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { disposeTeacherOutputs } from '../teachers/disposeTeacherOutputs.js';
import type { TeacherOutputSource } from '../teachers/TeacherOutputSource.js';
import { addWeightDecay } from './addWeightDecay.js';
import { clipByGlobalNorm } from './clipByGlobalNorm.js';
import type { StepPosition, TrainingObjective } from './TrainingObjective.js';
import type { TrainingOptions } from './TrainingOptions.js';

/**
 * One optimizer step: the teachers' outputs for the batch, the objective and its gradients, a check that
 * every loss is finite, then the update. Counts the steps taken, which the learning-rate schedule, the
 * strategies' context and the checkpoints read.
 */
export class TrainingStep {
  /** Optimizer steps taken since training began (restored on resume). */
  globalStep = 0;
  /** Whether the latest step skipped its update (a non-finite loss under `onNonFinite: skip-batch`). */
  skipped = false;

  constructor(
    private readonly objective: TrainingObjective,
    private readonly teacherSource: TeacherOutputSource,
    private readonly optimizer: tf.Optimizer,
    /** Every variable the optimizer updates, in a fixed order. */
    private readonly trainable: readonly tf.Variable[],
    private readonly options: TrainingOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Returns the objective's values (each term's unweighted loss, the weighted total, then the parts). They
   * are read before the update is applied, so a non-finite one never reaches the weights: it stops training
   * with a {@link DistilleryError} naming the term, epoch and step, or with `onNonFinite: 'skip-batch'` the
   * batch is skipped (logged) and training goes on.
   */
  async run(batch: Batch, epoch: number, stepsPerEpoch: number): Promise<number[]> {
    const teachers = await this.teacherSource.forStep(batch);
    let computed: { terms: tf.Tensor1D; grads: tf.NamedTensorMap };
    try {
      computed = this.objective.lossAndGradients(batch, teachers, this.position(epoch, stepsPerEpoch), false, true);
    } finally {
      disposeTeacherOutputs(teachers);
    }
    try {
      const values = Array.from(await computed.terms.data());
      // Parts are reports; a term or the total that is not finite is what stops the update.
      const bad = values.findIndex((value, i) => i <= this.objective.terms.length && !Number.isFinite(value));
      this.skipped = bad >= 0;
      if (bad >= 0) {
        const where = `epoch ${epoch}, step ${this.globalStep}`;
        const found = `${this.objective.describeValue(bad)} is ${values[bad]} (${this.objective.describeTerms(values)})`;
        if (this.options.onNonFinite === 'skip-batch') {
          this.logger.warn(`non-finite loss at ${where}: ${found}; batch skipped (onNonFinite: skip-batch)`);
          return values;
        }
        throw new DistilleryError(
          `non-finite loss at ${where}: ${found}; training stopped before the update (training.onNonFinite: skip-batch skips such batches)`,
          'training.onNonFinite',
        );
      }
      tf.tidy(() => this.applyUpdate(computed.grads));
      this.globalStep++;
      return values;
    } finally {
      tf.dispose([computed.terms, ...Object.values(computed.grads)]);
    }
  }

  /** Where training stands at the current step, as strategies see it. */
  position(epoch: number, stepsPerEpoch: number): StepPosition {
    return { epoch, epochs: this.options.epochs, step: this.globalStep, stepsPerEpoch };
  }

  private applyUpdate(grads: tf.NamedTensorMap): void {
    const clipped = this.options.clipGradNorm === undefined ? grads : clipByGlobalNorm(grads, this.options.clipGradNorm);
    // As in PyTorch, clipping sees the loss's gradients and the optimizer adds the decay after it.
    const decayed = addWeightDecay(clipped, this.trainable, this.options.optimizer.weightDecay ?? 0);
    // tfjs's stateful optimizers keep their slots by position in this map, and variableGrads omits
    // variables without a gradient (e.g. layers above a FitNets guided layer while only the hint
    // counts). So every variable gets its fixed place, null meaning "no update".
    const ordered: Record<string, tf.Tensor | null> = {};
    for (const variable of this.trainable) ordered[variable.name] = decayed[variable.name] ?? null;
    this.optimizer.applyGradients(ordered as tf.NamedTensorMap);
  }
}
