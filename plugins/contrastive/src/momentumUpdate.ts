import * as tf from '@tensorflow/tfjs-core';
import { normalizeRows } from './normalizeRows.js';

/**
 * CRD's memory update (RepDistiller's `ContrastMemory.forward`, under `torch.no_grad()`): each example's memory
 * row moves towards its embedding of this step and back onto the unit sphere,
 *
 *   row ← (m · row + (1 − m) · v) / ‖m · row + (1 − m) · v‖₂
 *
 * `rows` [B, D] are the batch's current memory rows, `embeddings` [B, D] its embeddings, in the same order.
 * Returns the new rows; `writeRows` puts them back at the batch's indices.
 */
export function momentumUpdate(rows: tf.Tensor2D, embeddings: tf.Tensor2D, momentum: number): tf.Tensor2D {
  return tf.tidy(() => normalizeRows(tf.add(tf.mul(rows, momentum), tf.mul(embeddings, 1 - momentum))));
}
