import type { DistillationContext, DistillationStrategy } from '@distillery/core';
import { lossTotal } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from './expectNoLeaks.js';

/**
 * A strategy's loss on `context` as a plain number. It runs inside a tidy, as the kernel runs it, so
 * intermediates are freed; it fails when the loss is not a scalar or when anything else outlives the
 * call (a tensor the strategy kept, a variable it made outside `build`).
 */
export async function strategyLoss(strategy: DistillationStrategy, context: DistillationContext): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() => lossTotal(strategy.loss(context)));
    const rank = loss.rank;
    const [value] = await loss.data();
    loss.dispose();
    if (rank !== 0) throw new Error(`expected ${strategy.key} to return a scalar loss, got rank ${rank}`);
    return value as number;
  });
}
