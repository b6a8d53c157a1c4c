import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The FSP ("flow of solution procedure") matrix between two feature maps of one network.
 *
 * Yim, Joo, Bae, Kim 2017, "A Gift from Knowledge Distillation: Fast Optimization, Network Minimization and Transfer
 * Learning" (CVPR), section 3.2; reference code RepDistiller distiller_zoo/FSP.py. Per example, with a and b seen as
 * [H·W, Ca] and [H·W, Cb] matrices (one row per position):
 *
 *   G_b = a_bᵀ b_b / (H·W),   G_b[i, j] = (1/(H·W)) Σ_p a[b, p, i] · b[b, p, j]   → [B, Ca, Cb]
 *
 * PyTorch (NCHW): `torch.bmm(a.flatten(2), b.flatten(2).transpose(1, 2)) / (H * W)`.
 * Where the reference differs: it pools the larger map down with adaptive average pooling when H×W differ; here
 * the caller resizes first (the strategy resizes bilinearly), so unequal sizes are an error. Its matrices come out
 * as [B, Cb, Ca] (the later layer first), the transpose of the paper's and this one; the loss is the same either way.
 *
 * @param a NHWC [B, H, W, Ca], the earlier layer
 * @param b NHWC [B, H, W, Cb], the later layer
 * @returns [B, Ca, Cb]
 */
export function fspMatrix(a: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const shapes = `[${a.shape.join(', ')}] and [${b.shape.join(', ')}]`;
  if (a.rank !== 4 || b.rank !== 4 || a.size === 0 || b.size === 0) {
    throw new DistilleryError(`fspMatrix: expected non-empty NHWC feature maps [B, H, W, C], got ${shapes}`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new DistilleryError(`fspMatrix: expected float32 feature maps, got ${a.dtype} and ${b.dtype}`);
  }
  const [batch, height, width, aChannels] = a.shape as [number, number, number, number];
  if (b.shape[0] !== batch) {
    throw new DistilleryError(`fspMatrix: feature maps ${shapes} cover different batches`);
  }
  if (b.shape[1] !== height || b.shape[2] !== width) {
    throw new DistilleryError(`fspMatrix: feature maps ${shapes} differ in spatial size; resize them to one H×W first`);
  }
  const bChannels = b.shape[3] as number;
  const positions = height * width;
  return tf.tidy(() => {
    const aRows = tf.reshape(a, [batch, positions, aChannels]) as tf.Tensor3D;
    const bRows = tf.reshape(b, [batch, positions, bChannels]) as tf.Tensor3D;
    return tf.div(tf.matMul(aRows, bRows, true, false), positions) as tf.Tensor3D;
  });
}
