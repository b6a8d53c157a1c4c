import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLearningRate } from './setLearningRate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const created: { dispose(): void }[] = [];
let counter = 0;

afterEach(() => {
  for (const thing of created.splice(0)) thing.dispose();
});

function track<T extends { dispose(): void }>(thing: T): T {
  created.push(thing);
  return thing;
}

/** Applies one update with `gradient` to `variable` and returns the change of each element. */
function stepOnce(optimizer: tf.Optimizer, variable: tf.Variable, gradient: number[]): number[] {
  const before = Array.from(variable.dataSync());
  const grad = tf.tensor1d(gradient);
  optimizer.applyGradients({ [variable.name]: grad });
  grad.dispose();
  const after = Array.from(variable.dataSync());
  return after.map((value, i) => value - (before[i] as number));
}

function freshVariable(): tf.Variable {
  return track(tf.variable(tf.tensor1d([1, -2]), true, `setLearningRate/${counter++}`));
}

describe('setLearningRate', () => {
  it('makes sgd step by −lr · g with the new rate', () => {
    const optimizer = track(tf.train.sgd(0.5));
    const variable = freshVariable();
    // A first step at the old rate, so the optimizer has cached it: [1, −2] − 0.5 · [1, 1] = [0.5, −2.5]
    expect(stepOnce(optimizer, variable, [1, 1])).toEqual([-0.5, -0.5]);
    setLearningRate(optimizer, 0.25);
    // Δ = −0.25 · [0.5, −2] = [−0.125, 0.5]; every value here is exact in float32
    expect(stepOnce(optimizer, variable, [0.5, -2])).toEqual([-0.125, 0.5]);
  });

  it('makes momentum use the new rate on its accumulated velocity', () => {
    const optimizer = track(tf.train.momentum(0.1, 0.5));
    const variable = freshVariable();
    // First step: velocity = g = [1, −1]; Δ = −0.1 · g.
    const first = stepOnce(optimizer, variable, [1, -1]);
    expect(first[0]).toBeCloseTo(-0.1, 6);
    expect(first[1]).toBeCloseTo(0.1, 6);
    setLearningRate(optimizer, 0.3);
    // Second step: velocity = 0.5 · [1, −1] + [1, −1] = [1.5, −1.5]; Δ = −0.3 · velocity = [−0.45, 0.45]
    const second = stepOnce(optimizer, variable, [1, -1]);
    expect(second[0]).toBeCloseTo(-0.45, 6);
    expect(second[1]).toBeCloseTo(0.45, 6);
  });

  it("makes adam's first step about −lr · sign(g) at the new rate", () => {
    const optimizer = track(tf.train.adam(0.1));
    const variable = freshVariable();
    setLearningRate(optimizer, 0.01);
    // Bias-corrected moments on the first step are m̂ = g and v̂ = g², so Δ = −lr · g / (|g| + ε) ≈ −lr · sign(g)
    const delta = stepOnce(optimizer, variable, [0.5, -3]);
    expect(delta[0]).toBeCloseTo(-0.01, 5);
    expect(delta[1]).toBeCloseTo(0.01, 5);
  });

  it("makes rmsprop's first step −lr · g / √((1 − ρ) g²) at the new rate", () => {
    const optimizer = track(tf.train.rmsprop(0.1, 0.9));
    const variable = freshVariable();
    setLearningRate(optimizer, 0.001);
    // Mean square after one step = 0.1 · g², so Δ = −lr · g / (|g| · √0.1) = −0.001 · sign(g) · 3.16228
    const delta = stepOnce(optimizer, variable, [2, -0.5]);
    expect(delta[0]).toBeCloseTo(-0.001 / Math.sqrt(0.1), 5);
    expect(delta[1]).toBeCloseTo(0.001 / Math.sqrt(0.1), 5);
  });

  it('leaves no tensor behind when it replaces the cached rate of sgd', async () => {
    const optimizer = track(tf.train.sgd(0.1));
    await expectNoLeaks(() => {
      setLearningRate(optimizer, 0.2);
      setLearningRate(optimizer, 0.3);
    });
    // The rate in force is the last one set: Δ = −0.3 · [1, 1]
    const delta = stepOnce(optimizer, freshVariable(), [1, 1]);
    expect(delta[0]).toBeCloseTo(-0.3, 6);
    expect(delta[1]).toBeCloseTo(-0.3, 6);
  });
});
