import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerOptions } from '../training/TrainingOptions.js';
import { AdamOptimizer } from './AdamOptimizer.js';

/**
 * Builds the optimizer an experiment asked for: Distillery's fused Adam, or tfjs's SGD, momentum and RMSProp.
 * Weight decay is not theirs: the training step adds it to the gradients (addWeightDecay).
 */
export function createOptimizer(options: OptimizerOptions): tf.Optimizer {
  switch (options.name) {
    case 'adam':
      return new AdamOptimizer(options.learningRate, options.beta1, options.beta2, options.epsilon);
    case 'sgd':
      return options.momentum > 0
        ? new DisposableMomentumOptimizer(options.learningRate, options.momentum, options.nesterov)
        : tf.train.sgd(options.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(options.learningRate, options.decay, options.momentum, options.epsilon);
  }
}

/**
 * tfjs's momentum optimizer, whose `dispose` also frees the learning-rate scalar: tfjs 4.22's frees the
 * momentum and the accumulations but not the rate it inherits from SGD, one tensor per optimizer.
 * Its update is PyTorch's (v ← μv + g; θ ← θ − lr · v, or θ ← θ − lr · (g + μv) with Nesterov).
 */
class DisposableMomentumOptimizer extends tf.MomentumOptimizer {
  override dispose(): void {
    super.dispose();
    this.c.dispose();
  }
}
