import { DistilleryError } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Throws a one-line {@link DistilleryError} unless `labels` are int32 class indices [B] for logits [B, C]. */
export function validateLabels(lossName: string, labels: tf.Tensor, logits: tf.Tensor): void {
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new DistilleryError(
      `${lossName}: labels [${labels.shape.join(', ')}] do not match logits [${logits.shape.join(', ')}]; expected one class index per example, shape [${logits.shape[0]}]`,
    );
  }
  if (labels.dtype !== 'int32') {
    throw new DistilleryError(`${lossName}: labels must be int32 class indices, got ${labels.dtype}`);
  }
}
