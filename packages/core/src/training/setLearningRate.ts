import type * as tf from '@tensorflow/tfjs-core';

/**
 * Changes a tfjs optimizer's rate between steps. SGD and momentum cache the rate in a scalar tensor
 * that their `setLearningRate` replaces; adam and rmsprop read the plain field on every update.
 * (tfjs optimizers answer `instanceof` by duck typing, so the method is tested for directly.)
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const target = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (target.learningRate === learningRate) return;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  target.learningRate = learningRate;
}
