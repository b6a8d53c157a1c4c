import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DistilleryError } from '../errors/DistilleryError.js';
import { AdamOptimizer } from './AdamOptimizer.js';

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

function variable(values: number[]): tf.Variable {
  return track(tf.variable(tf.tensor1d(values), true, `AdamOptimizer/${counter++}`));
}

function step(optimizer: tf.Optimizer, gradients: Record<string, number[] | null>): void {
  const map: Record<string, tf.Tensor | null> = {};
  for (const [name, values] of Object.entries(gradients)) map[name] = values === null ? null : tf.tensor1d(values);
  optimizer.applyGradients(map as tf.NamedTensorMap);
  tf.dispose(Object.values(map).filter((tensor): tensor is tf.Tensor => tensor !== null));
}

describe('AdamOptimizer', () => {
  it('moves each weight by lr · g / (|g| + ε) on the first step, whatever the size of g', () => {
    // t = 1: m = (1−β₁)g, v = (1−β₂)g², so m/c₁ = g and √(v/c₂) = |g|: a step of lr·sign(g), less ε's share.
    const optimizer = track(new AdamOptimizer(0.1));
    const weights = variable([1, -2, 3]);
    step(optimizer, { [weights.name]: [0.5, -4, 1e-3] });
    const expected = [1 - (0.1 * 0.5) / (0.5 + 1e-7), -2 + (0.1 * 4) / (4 + 1e-7), 3 - (0.1 * 1e-3) / (1e-3 + 1e-7)];
    const actual = Array.from(weights.dataSync());
    for (const [i, value] of actual.entries()) expect(value).toBeCloseTo(expected[i] as number, 6);
  });

  it('keeps stepping lr · sign(g) under a constant gradient, as the bias corrections cancel the warm-up', () => {
    const optimizer = track(new AdamOptimizer(0.01));
    const weights = variable([0, 0]);
    for (let i = 0; i < 5; i++) step(optimizer, { [weights.name]: [2, -0.25] });
    const [first, second] = Array.from(weights.dataSync());
    expect(first).toBeCloseTo(-0.05, 5);
    expect(second).toBeCloseTo(0.05, 5);
  });

  it('matches tfjs’s own Adam over ten steps of changing gradients', () => {
    const ours = track(new AdamOptimizer(0.05, 0.8, 0.99, 1e-6));
    const theirs = track(tf.train.adam(0.05, 0.8, 0.99, 1e-6));
    const a = variable([0.3, -1.2, 2.5, 0]);
    const b = variable([0.3, -1.2, 2.5, 0]);
    for (let i = 0; i < 10; i++) {
      const gradient = [Math.sin(i), Math.cos(3 * i) * 4, -0.01 * i, i % 2 === 0 ? 1e-4 : -2];
      step(ours, { [a.name]: gradient });
      step(theirs, { [b.name]: gradient });
    }
    const expected = Array.from(b.dataSync());
    // tfjs accumulates βᵗ in float32; ours computes it in double: the weights agree to float32 noise.
    for (const [i, value] of Array.from(a.dataSync()).entries()) expect(value).toBeCloseTo(expected[i] as number, 5);
  });

  it('leaves a variable without a gradient as it was, and starts its bias correction at its own first step', () => {
    const optimizer = track(new AdamOptimizer(0.1));
    const trained = variable([1]);
    const waiting = variable([1]);
    step(optimizer, { [trained.name]: [1], [waiting.name]: null });
    step(optimizer, { [trained.name]: [1], [waiting.name]: null });
    expect(Array.from(waiting.dataSync())).toEqual([1]);
    // Its first update is a first step (t = 1): a full lr·sign(g), not the damped step a shared t = 3 gives.
    step(optimizer, { [trained.name]: [1], [waiting.name]: [-3] });
    expect(waiting.dataSync()[0]).toBeCloseTo(1.1, 6);
    expect(trained.dataSync()[0]).toBeCloseTo(0.7, 5);
  });

  it('gives a new buffer to the variable, so values read before the step stay as they were', () => {
    const optimizer = track(new AdamOptimizer(0.1));
    const weights = variable([1, 2]);
    const before = weights.dataSync();
    step(optimizer, { [weights.name]: [1, 1] });
    expect(Array.from(before)).toEqual([1, 2]);
    expect(weights.dataSync()[0]).toBeCloseTo(0.9, 6);
  });

  it('continues exactly from getWeights in a fresh optimizer', async () => {
    const original = track(new AdamOptimizer(0.02));
    const weights = variable([0.5, -0.5, 1.5]);
    const gradients = [
      [0.3, -0.2, 1],
      [-0.1, 0.4, 2],
      [0.25, 0.25, -1],
    ];
    step(original, { [weights.name]: gradients[0] as number[] });
    step(original, { [weights.name]: gradients[1] as number[] });
    const state = await original.getWeights();
    const resumedWeights = variable(Array.from(weights.dataSync()));
    const resumed = track(new AdamOptimizer(0.02));
    // The state is keyed by variable name, so it is renamed to the copy here.
    await resumed.setWeights(
      state.map(({ name, tensor }) => ({ name: name.replace(weights.name, resumedWeights.name), tensor })),
    );
    tf.dispose(state.map(({ tensor }) => tensor));
    expect(resumed.iterations).toBe(2);
    step(original, { [weights.name]: gradients[2] as number[] });
    step(resumed, { [resumedWeights.name]: gradients[2] as number[] });
    expect(Array.from(resumedWeights.dataSync())).toEqual(Array.from(weights.dataSync()));
  });

  it('refuses a state whose shapes, names or parts do not fit, and keeps its own', async () => {
    const optimizer = track(new AdamOptimizer(0.1));
    const weights = variable([1, 2]);
    step(optimizer, { [weights.name]: [1, 1] });
    const good = await optimizer.getWeights();
    const wrongShape = good.map(({ name, tensor }) =>
      name.endsWith('/m') ? { name, tensor: track(tf.zeros([3])) } : { name, tensor },
    );
    await expect(optimizer.setWeights(wrongShape)).rejects.toThrow(
      `adam state: '${weights.name}/m' has shape [3], its variable [2]`,
    );
    await expect(optimizer.setWeights([...good, { name: 'nothing/m', tensor: track(tf.zeros([2])) }])).rejects.toThrow(
      DistilleryError,
    );
    await expect(optimizer.setWeights(good.filter(({ name }) => !name.endsWith('/v')))).rejects.toThrow(
      `adam state: '${weights.name}' lacks its v`,
    );
    tf.dispose(good.map(({ tensor }) => tensor));
    // Unchanged: a second step with g = 1 again moves the weight by lr once more.
    step(optimizer, { [weights.name]: [1, 1] });
    expect(weights.dataSync()[0]).toBeCloseTo(0.8, 5);
  });

  it('holds a fixed number of tensors from step to step, and none after dispose', async () => {
    const weights = variable([1, 2, 3]);
    const before = tf.memory().numTensors;
    const optimizer = new AdamOptimizer(0.1);
    step(optimizer, { [weights.name]: [1, 1, 1] });
    await expectNoLeaks(() => {
      for (let i = 0; i < 3; i++) step(optimizer, { [weights.name]: [1, -1, 0.5] });
    });
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
