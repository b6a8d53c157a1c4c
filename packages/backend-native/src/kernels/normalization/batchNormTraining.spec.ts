import '@tensorflow/tfjs-backend-cpu';
import { BatchNormTraining, BatchNormTrainingGrad, batchNormInTraining } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBackend } from '../../NativeBackend.js';
import { nativeBackendError } from '../../nativeBackendError.js';
import { registerNativeBackend } from '../../registerNativeBackend.js';

beforeAll(async () => {
  expect(nativeBackendError).toBeUndefined();
  expect(registerNativeBackend()).toBe(true);
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

/** The same pseudo-random values on every backend: drawn on cpu, copied out as numbers. */
function values(shape: number[], seed: number, mean = 0, spread = 1): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, mean, spread, 'float32', seed).dataSync() as Float32Array).slice();
}

interface TrainedLayer {
  output: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  kernels: string[];
}

/**
 * One training-mode call of a BatchNormalization layer (momentum 0.9, ε 1e-5, γ and β not 1 and 0) on
 * `backend`, with the gradients of Σ y · w with respect to x, γ and β, and the kernels it ran.
 */
async function trainLayer(backend: string, shape: number[], axis = -1): Promise<TrainedLayer> {
  await tf.setBackend(backend);
  const channels = shape.at(axis) ?? 1;
  const layer = tfl.layers.batchNormalization({ axis, momentum: 0.9, epsilon: 1e-5 });
  layer.build(shape);
  const [gamma, beta, movingMean, movingVariance] = layer.weights;
  gamma?.write(tf.tensor(values([channels], 2, 1, 0.3)));
  beta?.write(tf.tensor(values([channels], 3, 0, 0.3)));
  let result: Omit<TrainedLayer, 'kernels'> | undefined;
  const profile = await tf.profile(() => {
    result = tf.tidy(() => {
      const x = tf.tensor(values(shape, 1, 3, 2), shape);
      const w = tf.tensor(values(shape, 4), shape);
      const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, w));
      const output = (layer.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array;
      const dx = tf.grad(f)(x).dataSync() as Float32Array;
      const { grads } = tf.variableGrads(() => f(x) as tf.Scalar, [gamma?.read() as tf.Variable, beta?.read() as tf.Variable]);
      const gradOf = (name: string) =>
        Object.entries(grads)
          .find(([key]) => key.includes(name))?.[1]
          ?.dataSync() as Float32Array;
      return {
        output,
        dx,
        dGamma: gradOf('gamma'),
        dBeta: gradOf('beta'),
        movingMean: movingMean?.read().dataSync() as Float32Array,
        movingVariance: movingVariance?.read().dataSync() as Float32Array,
      };
    });
  });
  for (const weight of layer.weights) weight.dispose();
  return { ...(result as Omit<TrainedLayer, 'kernels'>), kernels: profile.kernelNames };
}

/** max |a − b| / (1 + max |b|): the values' own scale sets the tolerance. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    scale = Math.max(scale, Math.abs(b[i] ?? 0));
  }
  return difference / (1 + scale);
}

describe("tfjs-layers' BatchNormalization in training on the native backend", () => {
  it.each([[[64, 8, 8, 16]], [[7, 5]], [[3, 2, 2, 33]], [[1, 1, 1, 3]]])(
    'runs the fused kernels and equals the stock layer on cpu for %j: output, gradients, moving averages',
    async (shape) => {
      const stock = await trainLayer('cpu', shape);
      const fused = await trainLayer('native', shape);
      expect(stock.kernels).not.toContain(BatchNormTraining);
      expect(fused.kernels).toContain(BatchNormTraining);
      expect(fused.kernels).toContain(BatchNormTrainingGrad);
      expect(fused.kernels).not.toContain('FusedBatchNorm');
      for (const part of ['output', 'dx', 'dGamma', 'dBeta', 'movingMean', 'movingVariance'] as const) {
        expect(relativeError(fused[part], stock[part]), part).toBeLessThan(2e-6);
      }
    },
  );

  it('keeps the stock path where channels are not last, and in inference', async () => {
    await tf.setBackend('native');
    const kernelsOf = async (axis: number, training: boolean) => {
      const layer = tfl.layers.batchNormalization({ axis });
      const profile = await tf.profile(() => {
        tf.tidy(() => {
          layer.apply(tf.ones([2, 3, 4, 5]), { training });
        });
      });
      for (const weight of layer.weights) weight.dispose();
      return profile.kernelNames;
    };
    expect(await kernelsOf(-1, true)).toContain(BatchNormTraining);
    expect(await kernelsOf(1, true)).not.toContain(BatchNormTraining);
    const inference = await kernelsOf(-1, false);
    expect(inference).toContain('FusedBatchNorm');
    expect(inference).not.toContain(BatchNormTraining);
  });

  it('leaves no tensor behind over a forward and backward pass', async () => {
    await tf.setBackend('native');
    const layer = tfl.layers.batchNormalization({});
    layer.build([16, 4, 4, 8]);
    const x = tf.randomNormal([16, 4, 4, 8]);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)));
      tf.dispose([value, ...Object.values(grads)]);
    };
    await expectNoLeaks(step, { warmUp: true });
    tf.dispose(x);
    for (const weight of layer.weights) weight.dispose();
  });
});

describe('batchNormInTraining on the native backend', () => {
  it('differentiates through the mean and variance outputs too, as tf.moments and tf.batchNorm do on cpu', async () => {
    const shape = [6, 3, 3, 4];
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const [x, scale, offset, w, u, v] = [shape, [4], [4], shape, [4], [4]].map((s, i) =>
          tf.tensor(values(s, 10 + i, i === 1 ? 1 : 0), s),
        ) as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor, tf.Tensor, tf.Tensor];
        const f = (input: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
          const { normalized, mean, variance } = batchNormInTraining(input, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-3);
          return tf.addN([tf.sum(tf.mul(normalized, w)), tf.sum(tf.mul(mean, u)), tf.sum(tf.mul(variance, v))]);
        };
        return tf
          .grads(f)([x, scale, offset])
          .map((g) => g.dataSync() as Float32Array);
      });
    };
    const stock = await gradients('cpu');
    const fused = await gradients('native');
    for (const [i, expected] of stock.entries()) {
      expect(relativeError(fused[i] as Float32Array, expected)).toBeLessThan(2e-6);
    }
  });

  it('gives the same values to the bit on one thread and on two, in both kernels', async () => {
    await tf.setBackend('native');
    const { addon } = tf.backend() as NativeBackend;
    // Large enough for both kernels to share their chunks between threads.
    const shape = [16, 16, 16, 32];
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values(shape, 20, 1, 3), shape);
        const dy = tf.tensor(values(shape, 21), shape);
        const scale = tf.tensor(values([32], 22, 1, 0.2));
        const offset = tf.tensor(values([32], 23));
        const [y, mean, variance] = tf.engine().runKernel(BatchNormTraining, { x, scale, offset }, { epsilon: 1e-5 }) as [
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
        ];
        const grads = tf
          .engine()
          .runKernel(BatchNormTrainingGrad, { dy, x, scale, mean, variance }, { epsilon: 1e-5 }) as tf.Tensor[];
        return [y, mean, variance, ...grads].map((t) => Buffer.from((t as tf.Tensor).dataSync<'float32'>().buffer));
      });
    const initial = addon.threads();
    try {
      addon.setThreads(1);
      const one = run();
      addon.setThreads(2);
      const two = run();
      for (const [i, bytes] of two.entries()) expect(bytes.equals(one[i] as Buffer), `output ${i}`).toBe(true);
    } finally {
      addon.setThreads(initial);
    }
  });

  it('refuses a scale that does not hold one value per channel, naming it', async () => {
    await tf.setBackend('native');
    const { addon } = tf.backend() as NativeBackend;
    const x = new Float32Array(12);
    const call = () =>
      addon.batchNormTrain(
        x,
        new Float32Array(2),
        new Float32Array(3),
        1e-5,
        3,
        new Float32Array(12),
        new Float32Array(3),
        new Float32Array(3),
      );
    expect(call).toThrow('distillery_native.batchNormTrain: scale must hold one value per channel');
  });
});
