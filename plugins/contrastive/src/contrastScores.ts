import * as tf from '@tensorflow/tfjs-core';
import { gatherFlat } from './gatherFlat.js';

/**
 * exp(v_b · m_j / τ) for each example b and each of its drawn memory rows j (see `drawNegatives`): [B, K+1],
 * not yet divided by CRD's normalisation constant Z. `embeddings` [B, D], `memory` [N, D], `drawn` the row-major
 * [B, K+1] indices into the memory.
 *
 * RepDistiller gathers the drawn rows into [B, K+1, D] and multiplies batch-wise; at K = 16384, D = 128 and
 * B = 64 that is 512 MiB. Here S = v · memoryᵀ [B, N] is computed whole (12.8 MB at N = 50,000, B = 64) and row
 * b's K+1 entries are gathered from the flattened [B·N] matrix with a plain 1-D gather: tfjs's gather with
 * `batchDims` has no working gradient, the 1-D one has ({@link gatherFlat}, into a dense [B·N] gradient).
 */
export function contrastScores(
  embeddings: tf.Tensor2D,
  memory: tf.Tensor2D,
  drawn: Int32Array,
  temperature: number,
): tf.Tensor2D {
  const batch = embeddings.shape[0];
  const size = memory.shape[0];
  const columns = batch === 0 ? 0 : drawn.length / batch;
  const flat = new Int32Array(drawn.length);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < columns; j++) flat[b * columns + j] = b * size + (drawn[b * columns + j] as number);
  }
  return tf.tidy(() => {
    const similarities = tf.reshape(tf.matMul(embeddings, memory, false, true), [-1]);
    const picked = tf.reshape(gatherFlat(similarities as tf.Tensor1D, tf.tensor1d(flat, 'int32')), [batch, columns]);
    return tf.exp(tf.div(picked, temperature)) as tf.Tensor2D;
  });
}
