import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import { adamUpdate } from './adamUpdate.js';

/** tfjs-core does not export its NamedTensor type; this is it. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

interface Moments {
  first: tf.Tensor;
  second: tf.Tensor;
  /** Steps this variable has taken: t in its bias corrections. */
  steps: number;
}

/**
 * Adam (Kingma & Ba 2015) with its state kept per variable name, updating each variable with
 * {@link adamUpdate}: one fused kernel pass where the backend has one (the native backend does), about
 * fourteen tensor operations elsewhere. tfjs's own Adam keeps its slots by position and one step count
 * for all variables; here, as in PyTorch, each variable has its moments and its own step count t, and a
 * variable that gets no gradient in a step (a layer above a FitNets guided layer) is left entirely as it
 * was, so when it starts training its bias correction starts at t = 1.
 *
 * `getWeights` / `setWeights` hold everything needed to continue exactly: the optimizer's iteration count
 * ('iter') and, per variable, its moments ('<variable>/m', '<variable>/v') and step count ('<variable>/t').
 */
export class AdamOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'DistilleryAdam';
  }

  private readonly moments = new Map<string, Moments>();

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    super();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor] as const)
      : Object.entries(variableGradients);
    for (const [name, gradient] of gradients) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) throw new DistilleryError(`adam: no variable named '${name}' to update`);
      const moments = this.momentsOf(variable);
      const t = moments.steps + 1;
      const attrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        biasCorrection1: 1 - this.beta1 ** t,
        biasCorrection2: 1 - this.beta2 ** t,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
      };
      const [updated, first, second] = adamUpdate(variable, moments.first, moments.second, gradient, attrs);
      variable.assign(updated);
      updated.dispose();
      moments.first.dispose();
      moments.second.dispose();
      moments.first = tf.keep(first);
      moments.second = tf.keep(second);
      moments.steps = t;
    }
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights = [await this.saveIterations()];
    for (const [name, { first, second, steps }] of this.moments) {
      weights.push(
        { name: `${name}/m`, tensor: tf.clone(first) },
        { name: `${name}/v`, tensor: tf.clone(second) },
        { name: `${name}/t`, tensor: tf.scalar(steps, 'int32') },
      );
    }
    return weights;
  }

  /** Replaces the state with `weightValues` (as `getWeights` gives them); checks all of it before changing any. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const parts = new Map<string, { m?: tf.Tensor; v?: tf.Tensor; t?: number }>();
    for (const { name: key, tensor } of rest) {
      const [, name, part] = /^(.*)\/([mvt])$/.exec(key) ?? [];
      const variable = name === undefined ? undefined : tf.engine().registeredVariables[name];
      if (name === undefined || variable === undefined) {
        throw new DistilleryError(`adam state: '${key}' is not the m, v or t of a variable (<variable>/m)`);
      }
      const entry = parts.get(name) ?? {};
      parts.set(name, entry);
      if (part === 't') {
        const [steps] = await tensor.data();
        if (tensor.size !== 1 || steps === undefined || !Number.isInteger(steps) || steps < 1) {
          throw new DistilleryError(`adam state: '${key}' must be one positive whole number of steps`);
        }
        entry.t = steps;
      } else if (!tf.util.arraysEqual(tensor.shape, variable.shape)) {
        throw new DistilleryError(`adam state: '${key}' has shape [${tensor.shape}], its variable [${variable.shape}]`);
      } else {
        entry[part as 'm' | 'v'] = tensor;
      }
    }
    for (const [name, entry] of parts) {
      const missing = (['m', 'v', 't'] as const).filter((part) => entry[part] === undefined);
      if (missing.length > 0) throw new DistilleryError(`adam state: '${name}' lacks its ${missing.join(' and ')}`);
    }
    for (const { first, second } of this.moments.values()) tf.dispose([first, second]);
    this.moments.clear();
    for (const [name, { m, v, t }] of parts) {
      this.moments.set(name, {
        first: tf.keep(tf.clone(m as tf.Tensor)),
        second: tf.keep(tf.clone(v as tf.Tensor)),
        steps: t as number,
      });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    super.dispose();
    for (const { first, second } of this.moments.values()) tf.dispose([first, second]);
    this.moments.clear();
  }

  private momentsOf(variable: tf.Variable): Moments {
    let moments = this.moments.get(variable.name);
    if (moments === undefined) {
      moments = { first: tf.keep(tf.zerosLike(variable)), second: tf.keep(tf.zerosLike(variable)), steps: 0 };
      this.moments.set(variable.name, moments);
    }
    return moments;
  }
}
