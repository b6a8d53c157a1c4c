import type { DistillationContext, DistillationStrategy } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from './expectNoLeaks.js';

/**
 * A strategy's loss on `context` with the parts it reports, as plain numbers: `{ total, parts }`. Like
 * {@link strategyLoss} it runs in a tidy and fails on a leak; it also fails when the parts returned are not
 * exactly the ones the strategy declares in `lossParts`, the check the kernel makes on every step.
 */
export async function strategyLossParts(
  strategy: DistillationStrategy,
  context: DistillationContext,
): Promise<{ total: number; parts: Record<string, number> }> {
  return expectNoLeaks(async () => {
    let names: string[] = [];
    const tensors = tf.tidy(() => {
      const loss = strategy.loss(context);
      if (!('total' in loss)) return [loss];
      names = Object.keys(loss.parts);
      return [loss.total, ...Object.values(loss.parts)];
    });
    const values = await Promise.all(tensors.map(async (tensor) => (await tensor.data())[0] as number));
    tf.dispose(tensors);
    const declared = [...(strategy.lossParts ?? [])].sort();
    if (JSON.stringify([...names].sort()) !== JSON.stringify(declared)) {
      throw new Error(
        `expected ${strategy.key} to return the parts it declares (${declared.join(', ')}), got ${names.join(', ')}`,
      );
    }
    return { total: values[0] as number, parts: Object.fromEntries(names.map((name, i) => [name, values[i + 1] as number])) };
  });
}
