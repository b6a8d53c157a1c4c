import type * as tf from '@tensorflow/tfjs-core';

/** What {@link AttentionBasedFusion.apply} returns: new tensors the caller owns. */
export interface FusionResult {
  /** The review output compared with the teacher's stage, [B, H, W, C_out]. */
  readonly output: tf.Tensor4D;
  /** The fused middle feature handed to the next shallower stage, [B, H, W, mid]. */
  readonly residual: tf.Tensor4D;
}
