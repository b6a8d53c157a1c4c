import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerOptions } from '../training/TrainingOptions.js';
import { AdamOptimizer } from './AdamOptimizer.js';

/** Builds the optimizer an experiment asked for: Distillery's fused Adam, or tfjs's SGD, momentum and RMSProp. */
export function createOptimizer(options: OptimizerOptions): tf.Optimizer {
  switch (options.name) {
    case 'adam':
      return new AdamOptimizer(options.learningRate, options.beta1, options.beta2, options.epsilon);
    case 'sgd':
      return options.momentum > 0
        ? tf.train.momentum(options.learningRate, options.momentum, options.nesterov)
        : tf.train.sgd(options.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(options.learningRate, options.decay, options.momentum, options.epsilon);
  }
}
