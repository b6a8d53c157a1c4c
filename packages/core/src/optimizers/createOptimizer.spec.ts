import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addWeightDecay } from '../training/addWeightDecay.js';
import { setLearningRate } from '../training/setLearningRate.js';
import { trainingOptionsSchema } from '../training/trainingOptionsSchema.js';
import { createOptimizer } from './createOptimizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let trajectories = 0;

/**
 * θ after steps with the given gradients of a one-element kernel starting at θ₀, gradients passed
 * through addWeightDecay first as the training step does; `rates` changes the rate before each step.
 */
async function trajectory(
  optimizer: object,
  theta0: number,
  gradients: number[],
  rates: number[],
  weightDecay = 0,
): Promise<number[]> {
  const before = tf.memory().numTensors;
  const created = createOptimizer(trainingOptionsSchema.parse({ optimizer }).optimizer);
  const kernel = tf.tidy(() => tf.variable(tf.tensor2d([[theta0]]), true, `trajectory_${++trajectories}/kernel`));
  const thetas: number[] = [];
  gradients.forEach((gradient, i) => {
    setLearningRate(created, rates[i] as number);
    tf.tidy(() => created.applyGradients(addWeightDecay({ [kernel.name]: tf.tensor2d([[gradient]]) }, [kernel], weightDecay)));
    thetas.push(kernel.dataSync()[0] as number);
  });
  created.dispose();
  kernel.dispose();
  // Everything the steps made (the optimizer's slots included) is gone with the optimizer: no leak.
  expect(tf.memory().numTensors).toBe(before);
  return thetas;
}

describe('createOptimizer', () => {
  it('gives SGD with Nesterov momentum PyTorch’s update: v ← μv + g, θ ← θ − lr · (g + μv)', async () => {
    // μ = 0.9, lr = 0.1, θ₀ = 1, g = 1 then 0.5:
    // step 1: v = 1, θ = 1 − 0.1 · (1 + 0.9) = 0.81
    // step 2: v = 0.9 + 0.5 = 1.4, θ = 0.81 − 0.1 · (0.5 + 1.26) = 0.634
    const thetas = await trajectory({ name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true }, 1, [1, 0.5], [0.1, 0.1]);
    expect(thetas[0]).toBeCloseTo(0.81, 6);
    expect(thetas[1]).toBeCloseTo(0.634, 6);
  });

  it('gives plain momentum θ ← θ − lr · v, and keeps v free of the rate when the rate changes (as PyTorch)', async () => {
    // step 1: v = 1, θ = 1 − 0.1 = 0.9; step 2 at lr 0.05: v = 1.4, θ = 0.9 − 0.07 = 0.83.
    const plain = await trajectory({ name: 'sgd', learningRate: 0.1, momentum: 0.9 }, 1, [1, 0.5], [0.1, 0.05]);
    expect(plain[0]).toBeCloseTo(0.9, 6);
    expect(plain[1]).toBeCloseTo(0.83, 6);
    // Nesterov, step 2 at lr 0.05: θ = 0.81 − 0.05 · 1.76 = 0.722.
    const nesterov = await trajectory(
      { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
      1,
      [1, 0.5],
      [0.1, 0.05],
    );
    expect(nesterov[1]).toBeCloseTo(0.722, 6);
  });

  it('puts weight decay into the gradient before Nesterov momentum, as PyTorch’s SGD(weight_decay) does', async () => {
    // λ = 0.1. step 1: g = 1 + 0.1 · 1 = 1.1, v = 1.1, θ = 1 − 0.1 · (1.1 + 0.99) = 0.791
    // step 2: g = 0.5 + 0.0791 = 0.5791, v = 0.99 + 0.5791 = 1.5691, θ = 0.791 − 0.1 · (0.5791 + 1.41219) = 0.591871
    const thetas = await trajectory(
      { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
      1,
      [1, 0.5],
      [0.1, 0.1],
      0.1,
    );
    expect(thetas[0]).toBeCloseTo(0.791, 6);
    expect(thetas[1]).toBeCloseTo(0.591871, 5);
  });

  it('puts weight decay into Adam’s gradient, as PyTorch’s Adam(weight_decay) does (not AdamW)', async () => {
    // β = (0.9, 0.999), lr = 0.1, θ₀ = 2, λ = 0.5, g = 1 twice.
    // step 1: g = 2, m̂ = 2, v̂ = 4, θ = 2 − 0.1 · 2 / 2 = 1.9
    // step 2: g = 1 + 0.95 = 1.95; m = 0.18 + 0.195 = 0.375, v = 0.003996 + 0.0038025 = 0.0077985;
    //         m̂ = 0.375 / 0.19, v̂ = 0.0077985 / 0.001999; θ = 1.9 − 0.1 · m̂ / √v̂ = 1.800074
    // Without the decay both steps move by 0.1 exactly: 1.8. (Decoupled AdamW, θ ← θ · (1 − lr · λ) then
    // the Adam step on g = 1, would give 2 · 0.95 − 0.1 = 1.8 and 1.8 · 0.95 − 0.1 = 1.61.)
    const thetas = await trajectory({ name: 'adam', learningRate: 0.1 }, 2, [1, 1], [0.1, 0.1], 0.5);
    expect(thetas[0]).toBeCloseTo(1.9, 5);
    expect(thetas[1]).toBeCloseTo(1.800074, 5);
    expect(thetas[1]).not.toBeCloseTo(1.8, 5);
  });
});
