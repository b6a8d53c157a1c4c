import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/Batch.js';
import { blameStrategy } from '../errors/blameStrategy.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { releaseFailedTape } from '../errors/releaseFailedTape.js';
import { StrategyFailure } from '../errors/StrategyFailure.js';
import type { ModelView } from '../models/ModelView.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import { lossTotal } from '../strategy/lossTotal.js';
import type { ObjectiveTerm } from './ObjectiveTerm.js';

function requireScalar(loss: tf.Tensor, what: string): void {
  if (loss.rank !== 0) throw new DistilleryError(`${what} of shape [${loss.shape.join(', ')}]; expected a scalar`);
}

/** Where the training loop stands, as a strategy sees it in its context. */
export interface StepPosition {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
}

/**
 * The quantity training minimises: Σ weightᵢ · lossᵢ over the terms whose epoch window holds the epoch,
 * with the student run in training mode on the batch. Every tensor it makes is either returned or
 * freed inside tfjs's gradient scope; the caller disposes what it returns.
 */
export class TrainingObjective {
  /** The parts strategies report (`lossParts`), in term order: the values after the total. */
  readonly parts: readonly { readonly term: string; readonly part: string }[];

  constructor(
    readonly terms: readonly ObjectiveTerm[],
    private readonly studentView: ModelView,
    /** The student's trainable variables, then the peers', then the strategies'. */
    private readonly trainable: readonly tf.Variable[],
    /** Models trained with the student (online distillation), run in training mode into the context. */
    private readonly peers: readonly { readonly name: string; readonly view: ModelView }[] = [],
    /** False for a fixed student (`Student.trainable: false`): run in inference mode, so its batch statistics stay. */
    private readonly studentTraining = true,
  ) {
    this.parts = terms.flatMap(({ name, strategy }) => (strategy.lossParts ?? []).map((part) => ({ term: name, part })));
  }

  /** How many values `compute` gives: each term, the total, each part. */
  get width(): number {
    return this.terms.length + 1 + this.parts.length;
  }

  /**
   * Each term's unweighted loss, the weighted total, then each reported part (0 for a term outside its
   * window); `everyTerm` ignores the windows, so profiling sees every kernel.
   */
  compute(
    batch: Batch,
    teachers: DistillationContext['teachers'],
    at: StepPosition,
    everyTerm = false,
    updateState = false,
  ): { terms: tf.Tensor1D; total: tf.Scalar } {
    const context = this.context(batch, teachers, at);
    const parts: tf.Scalar[] = [];
    const losses = this.terms.map(({ name, key, strategy, from, until }, i) => {
      const declared = strategy.lossParts ?? [];
      if (!everyTerm && (at.epoch < from || at.epoch >= until)) {
        for (const _ of declared) parts.push(tf.scalar(0));
        return tf.scalar(0);
      }
      const result = blameStrategy(i, key, 'computing its loss', () => strategy.loss(context));
      const loss = lossTotal(result);
      requireScalar(loss, `strategy '${name}' returned a loss`);
      const reported = 'total' in result ? result.parts : {};
      for (const part of Object.keys(reported)) {
        if (!declared.includes(part)) {
          throw new DistilleryError(
            `strategy '${name}' returned a loss part '${part}' it does not declare in lossParts (${declared.join(', ') || 'none'})`,
          );
        }
      }
      for (const part of declared) {
        const value = reported[part];
        if (value === undefined) throw new DistilleryError(`strategy '${name}' declares loss part '${part}' but returned none`);
        requireScalar(value, `strategy '${name}' returned loss part '${part}'`);
        parts.push(value);
      }
      return loss;
    });
    if (updateState) {
      this.terms.forEach(({ key, strategy, from, until }, i) => {
        if (strategy.update === undefined || at.epoch < from || at.epoch >= until) return;
        blameStrategy(i, key, 'updating its state', () => strategy.update?.(context));
      });
    }
    // Few small ops per step: the loop's own cost is measured against a hand-written one (bench/).
    const weighted = losses.map((loss, i) => {
      const { weight } = this.terms[i] as ObjectiveTerm;
      return weight === 1 ? loss : tf.mul(loss, weight);
    });
    const total = (weighted.length === 1 ? weighted[0] : tf.addN(weighted)) as tf.Scalar;
    return { terms: tf.stack([...losses, total, ...parts]) as tf.Tensor1D, total };
  }

  /**
   * The terms (then the total) and the gradients of the total, as tensors the caller disposes. With `updateState`
   * (training steps, not the backend probe) each active strategy's `update` runs after the losses, in the same scope.
   */
  lossAndGradients(
    batch: Batch,
    teachers: DistillationContext['teachers'],
    at: StepPosition,
    everyTerm = false,
    updateState = false,
  ): { terms: tf.Tensor1D; grads: tf.NamedTensorMap } {
    const kept = tf.tidy(() => {
      let terms: tf.Tensor1D | undefined;
      try {
        const { grads } = tf.variableGrads(() => {
          const objective = this.compute(batch, teachers, at, everyTerm, updateState);
          terms = tf.keep(objective.terms);
          return objective.total;
        }, this.trainable as tf.Variable[]);
        return { terms: terms as tf.Tensor1D, grads };
      } catch (error) {
        tf.dispose(terms);
        throw this.blameGradient(error, () => this.context(batch, teachers, at));
      }
    });
    return kept as unknown as { terms: tf.Tensor1D; grads: tf.NamedTensorMap };
  }

  /** What the objective's `index`-th value is, for messages: a term, or the total. */
  describeValue(index: number): string {
    const term = this.terms[index];
    return term === undefined ? 'the total' : `term '${term.name}'`;
  }

  /** Each term's value, for messages: `task.ce = 0.3, response.kd = NaN`. */
  describeTerms(values: ArrayLike<number>): string {
    return this.terms.map((term, i) => `${term.name} = ${values[i]}`).join(', ');
  }

  /** Values in term order (then the total and the parts, ignored) keyed by term name. */
  byTerm(values: ArrayLike<number>): Record<string, number> {
    return Object.fromEntries(this.terms.map((term, i) => [term.name, values[i] as number]));
  }

  /** The parts among `values` (as `compute` orders them) by term then part; undefined when none are reported. */
  partsByTerm(values: ArrayLike<number>): Record<string, Record<string, number>> | undefined {
    if (this.parts.length === 0) return undefined;
    const byTerm: Record<string, Record<string, number>> = {};
    this.parts.forEach(({ term, part }, i) => {
      byTerm[term] = { ...byTerm[term], [part]: values[this.terms.length + 1 + i] as number };
    });
    return byTerm;
  }

  private context(batch: Batch, teachers: DistillationContext['teachers'], at: StepPosition): DistillationContext {
    return {
      inputs: batch.inputs,
      labels: batch.labels,
      ...(batch.indices === undefined ? {} : { indices: batch.indices }),
      student: this.studentView.apply(batch.inputs, this.studentTraining),
      ...(this.peers.length === 0
        ? {}
        : { peers: this.peers.map(({ name, view }) => ({ name, ...view.apply(batch.inputs, true) })) }),
      teachers,
      ...at,
    };
  }

  /**
   * The error to report for a failed backward pass. A gradient fails for the whole objective, so on this
   * (rare) path each term's gradient is taken alone to find the strategy whose ops have none; the term
   * whose own gradient fails with the same message is blamed. Errors that are not a strategy's are kept.
   */
  private blameGradient(error: unknown, context: () => DistillationContext): unknown {
    releaseFailedTape();
    if (error instanceof DistilleryError || error instanceof StrategyFailure || !(error instanceof Error)) return error;
    const culprit = this.terms.findIndex(({ strategy }) => {
      try {
        tf.tidy(() => {
          tf.variableGrads(() => lossTotal(strategy.loss(context())), this.trainable as tf.Variable[]);
        });
        return false;
      } catch (alone) {
        releaseFailedTape();
        return alone instanceof Error && alone.message === error.message;
      }
    });
    const term = this.terms[culprit];
    return term === undefined ? error : new StrategyFailure(culprit, term.key, 'computing its gradient', error);
  }
}
