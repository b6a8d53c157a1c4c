import * as tf from '@tensorflow/tfjs-core';

/** The authors' ε in cos(a, b) = Σ ab / (|a| |b| + ε) (DIST_KD `cosine_similarity`). */
const COSINE_EPSILON = 1e-8;

/**
 * A floor under Σ a² before the square root. √x has an infinite derivative at 0, so a row that is constant
 * (a centred vector of zeros) would give NaN gradients; PyTorch's `norm` gives 0 there, and so does this.
 * The value changes only for rows with Σ a² < 1e-30, whose numerator Σ ab is then ~0 anyway.
 */
const SQUARED_NORM_FLOOR = 1e-30;

/**
 * The mean over rows of the Pearson correlation of `a[r, :]` and `b[r, :]`: the cosine similarity of the
 * row-centred vectors, cos = Σ ab / (|a| |b| + 1e-8), as in the DIST reference code (hunto/DIST_KD).
 *
 * @param a [R, N]
 * @param b [R, N], the same shape
 * @returns a scalar in [−1, 1]
 */
export function meanRowPearson(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const centredA = tf.sub(a, tf.mean(a, 1, true));
    const centredB = tf.sub(b, tf.mean(b, 1, true));
    const norm = (x: tf.Tensor) => tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1), SQUARED_NORM_FLOOR));
    const dot = tf.sum(tf.mul(centredA, centredB), 1);
    const cosine = tf.div(dot, tf.add(tf.mul(norm(centredA), norm(centredB)), COSINE_EPSILON));
    return tf.mean(cosine) as tf.Scalar;
  });
}
