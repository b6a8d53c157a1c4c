import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import { createOptimizer } from '../optimizers/createOptimizer.js';
import type { StrategyFactory as StrategyFactoryType } from '../strategy/StrategyFactory.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { addWeightDecay } from './addWeightDecay.js';
import { trainingOptionsSchema } from './trainingOptionsSchema.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const made: tf.Variable[] = [];
afterEach(() => {
  tf.dispose(made.splice(0));
});

function variable(name: string, values: number[] | number[][]): tf.Variable {
  const created = tf.variable(tf.tensor(values), true, name);
  made.push(created);
  return created;
}

describe('addWeightDecay', () => {
  it('adds weightDecay · θ to a kernel’s gradient and leaves the bias’s alone, as one SGD step shows', async () => {
    const kernel = variable('dense_Wd1/kernel', [
      [1, 2],
      [3, 4],
    ]);
    const bias = variable('dense_Wd1/bias', [0.5, -1]);
    const optimizer = createOptimizer(trainingOptionsSchema.parse({ optimizer: { name: 'sgd', learningRate: 0.5 } }).optimizer);
    await expectNoLeaks(() =>
      tf.tidy(() => {
        const gradients = { [kernel.name]: tf.fill([2, 2], 0.1), [bias.name]: tf.ones([2]) };
        const decayed = addWeightDecay(gradients, [kernel, bias], 0.01);
        // kernel: 0.1 + 0.01 · θ = [[0.11, 0.12], [0.13, 0.14]]; bias: [1, 1] as it was.
        const kernelGradient = Array.from((decayed[kernel.name] as tf.Tensor).dataSync());
        [0.11, 0.12, 0.13, 0.14].forEach((value, i) => {
          expect(kernelGradient[i]).toBeCloseTo(value, 7);
        });
        expect(decayed[bias.name]).toBe(gradients[bias.name]);
        optimizer.applyGradients(decayed);
      }),
    );
    // θ − 0.5 · g: kernel [[1 − 0.055, 2 − 0.06], [3 − 0.065, 4 − 0.07]]; bias [0.5 − 0.5, −1 − 0.5].
    const kernelAfter = Array.from(kernel.dataSync());
    [0.945, 1.94, 2.935, 3.93].forEach((value, i) => {
      expect(kernelAfter[i]).toBeCloseTo(value, 6);
    });
    expect(Array.from(bias.dataSync())).toEqual([0, -1.5]);
    optimizer.dispose();
  });

  it('decays conv, depthwise, pointwise and adapter kernels, not γ, β, biases, 1-D “kernels” or variables without a gradient', async () => {
    const decayedNames = [
      'conv2d_C1/kernel',
      'dw_D1/depthwise_kernel',
      'sep_S1/pointwise_kernel',
      'feature.hint/pairs[0]/kernel#2',
    ];
    const keptNames = ['bn_B1/gamma', 'bn_B1/beta', 'conv2d_C1/bias', 'odd/kernel', 'kernels_K1/kernel_scale'];
    const variables = [
      ...decayedNames.map((name) => variable(name, [[2]])),
      ...keptNames.map((name) => variable(name, name === 'kernels_K1/kernel_scale' ? [[2]] : [2])),
    ];
    const noGradient = variable('dense_N1/kernel', [[2]]);
    const result = await expectNoLeaks(() =>
      tf.tidy(() => {
        const gradients = Object.fromEntries(variables.map((v) => [v.name, tf.ones(v.shape)]));
        const decayed = addWeightDecay(gradients, [...variables, noGradient], 0.25);
        expect(decayed[noGradient.name]).toBeUndefined();
        return Object.fromEntries(Object.entries(decayed).map(([name, g]) => [name, (g as tf.Tensor).dataSync()[0]]));
      }),
    );
    // 1 + 0.25 · 2 = 1.5 for the kernels; 1 for the rest.
    for (const name of decayedNames) expect(result[name]).toBe(1.5);
    for (const name of keptNames) expect(result[name]).toBe(1);
  });

  it('returns the gradients themselves when weightDecay is 0', () => {
    const kernel = variable('dense_Z1/kernel', [[1]]);
    tf.tidy(() => {
      const gradients = { [kernel.name]: tf.ones([1, 1]) };
      expect(addWeightDecay(gradients, [kernel], 0)).toBe(gradients);
    });
  });
});

describe('weightDecay in training', () => {
  it('shrinks only the kernels by (1 − lr · λ) per step when the loss has no gradient (SGD, 3 steps)', async () => {
    // A loss of 0 · Σ logits has zero gradient, so each step is θ ← θ − lr · λ · θ on kernels only.
    const zeroLoss: StrategyFactoryType = {
      key: 'test.zero',
      description: 'zero loss',
      create: () => ({ key: 'test.zero', loss: (context) => tf.mul(tf.sum(context.student.logits), 0) as tf.Scalar }),
    };
    const student = fixtureMlp({ inputSize: 4, hidden: [5], classes: 3, prefix: 'wd', seed: 1 });
    const before = student.weights.map((weight) => [weight.name, Array.from(weight.read().dataSync())] as const);
    const distiller = createDistiller({
      student: { model: student },
      strategies: [{ key: 'test.zero' }],
      training: {
        epochs: 1,
        batchSize: 4,
        seed: 0,
        optimizer: { name: 'sgd', learningRate: 0.5, momentum: 0, weightDecay: 0.1 },
      },
      plugins: [
        new ContainerModule(({ bind }) => {
          bind(StrategyFactory).toConstantValue(zeroLoss);
        }),
      ],
      backend: 'cpu',
      logger: silentLogger,
    });
    await distiller.fit(new IndexedDataset(gaussianClusters({ examples: 12, features: 4, classes: 3, seed: 2 })));
    const factor = (1 - 0.5 * 0.1) ** 3;
    student.weights.forEach((weight, i) => {
      const [name, initial] = before[i] as readonly [string, number[]];
      const after = Array.from(weight.read().dataSync());
      const expected = name.endsWith('/kernel') ? initial.map((value) => value * factor) : initial;
      after.forEach((value, k) => {
        expect(value).toBeCloseTo(expected[k] as number, 6);
      });
    });
    expect(student.weights.filter((weight) => weight.name.endsWith('/kernel'))).toHaveLength(2);
    distiller.dispose();
    student.dispose();
  });
});
