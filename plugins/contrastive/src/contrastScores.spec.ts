import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { contrastScores } from './contrastScores.js';
import { drawNegatives } from './drawNegatives.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** RepDistiller's way: gather the drawn rows into [B, K+1, D], multiply batch-wise, exp(·/τ). */
function naiveScores(embeddings: tf.Tensor2D, memory: tf.Tensor2D, drawn: Int32Array, temperature: number): tf.Tensor2D {
  const [batch, width] = embeddings.shape;
  const rows = tf.reshape(tf.gather(memory, tf.tensor1d(drawn, 'int32')), [batch, -1, width]);
  const dots = tf.matMul(rows, tf.reshape(embeddings, [batch, width, 1]));
  return tf.exp(tf.div(tf.reshape(dots, [batch, -1]), temperature)) as tf.Tensor2D;
}

describe('contrastScores', () => {
  it('is exp(v · m / τ) at each example’s drawn rows, worked by hand on a 3-row memory', async () => {
    // v = [1, 0], [0, 1]; memory rows [0.5, 0], [0, −1], [1, 1]; example 0 drew rows [2, 0], example 1 rows [1, 2].
    // Dots: v0·m2 = 1, v0·m0 = 0.5; v1·m1 = −1, v1·m2 = 1. At τ = 0.5: exp(2), exp(1), exp(−2), exp(2).
    const values = await expectNoLeaks(() =>
      tf.tidy(() =>
        Array.from(
          contrastScores(
            tf.tensor2d([
              [1, 0],
              [0, 1],
            ]),
            tf.tensor2d([
              [0.5, 0],
              [0, -1],
              [1, 1],
            ]),
            Int32Array.from([2, 0, 1, 2]),
            0.5,
          ).dataSync(),
        ),
      ),
    );
    [Math.exp(2), Math.exp(1), Math.exp(-2), Math.exp(2)].forEach((expected, i) => {
      expect(values[i]).toBeCloseTo(expected, 5);
    });
  });

  it('equals the naive [B, K+1, D] computation, values and gradients, on a small memory', async () => {
    const drawn = drawNegatives(Int32Array.from([3, 0, 5, 1]), { k: 6, datasetSize: 7, seed: 2, step: 0 });
    const [ours, naive] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const embeddings = tf.randomNormal([4, 5], 0, 0.3, 'float32', 1) as tf.Tensor2D;
        const memory = tf.randomNormal([7, 5], 0, 0.3, 'float32', 2) as tf.Tensor2D;
        const weights = tf.randomUniform([4, 7], 0, 1, 'float32', 3);
        const run = (scores: typeof contrastScores) => {
          const values = scores(embeddings, memory, drawn, 0.2);
          const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(scores(v as tf.Tensor2D, memory, drawn, 0.2), weights)))(
            embeddings,
          );
          return [...values.dataSync(), ...gradient.dataSync()];
        };
        return [run(contrastScores), run(naiveScores)] as const;
      }),
    );
    expect(ours).toHaveLength(4 * 7 + 4 * 5);
    ours.forEach((value, i) => {
      expect(value).toBeCloseTo(naive[i] as number, 4);
    });
  });
});
