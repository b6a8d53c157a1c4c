import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/Batch.js';
import type { Dataset } from '../data/Dataset.js';

/**
 * Runs `compute` over `data` batch by batch, in order and unaugmented, and hands the values of the tensors
 * it returns to `consume` with the batch's labels and the index of its first example. `compute` may be
 * asynchronous (a teacher run outside tfjs), so it is not run in a tidy: it returns only tensors it owns, its
 * intermediates freed (a synchronous one wraps its body in `tf.tidy`). What it returns, and the batch, are freed
 * once read, also when `consume` throws. Returns the number
 * of examples seen. Every pass over a dataset in inference (evaluation, teacher diagnostics, ensembles) goes
 * through here, so each reads its data the same way.
 */
export async function inferBatches(
  data: Dataset,
  batchSize: number,
  compute: (batch: Batch) => tf.Tensor[] | Promise<tf.Tensor[]>,
  consume: (values: tf.TypedArray[], labels: tf.TypedArray, offset: number) => void,
): Promise<number> {
  let offset = 0;
  for (const batch of data.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
    let computed: tf.Tensor[] = [];
    try {
      computed = await compute(batch);
      const [labels, ...values] = await Promise.all([batch.labels.data(), ...computed.map((tensor) => tensor.data())]);
      consume(values, labels, offset);
      offset += labels.length;
    } finally {
      tf.dispose([...computed, batch.inputs, batch.labels]);
    }
  }
  return offset;
}
