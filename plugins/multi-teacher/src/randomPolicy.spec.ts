import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomPolicy } from './randomPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function weightsAt(seed: number, step: number, teacherCount = 3, batchSize = 4): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const teacherLogits = Array.from({ length: teacherCount }, () => tf.zeros([batchSize, 2]) as tf.Tensor2D);
    const labels = tf.zeros([batchSize], 'int32') as tf.Tensor1D;
    const result = randomPolicy.weights({ teacherLogits, labels, temperature: 4, options: {}, step, seed });
    const values = (await result.array()) as number[][];
    tf.dispose([result, labels, ...teacherLogits]);
    return values;
  });
}

describe('randomPolicy', () => {
  it('is the weighting policy random', () => {
    expect(randomPolicy.key).toBe('random');
    expect(randomPolicy.kind).toBe('weights');
  });

  it('puts the whole weight of every example on one teacher, the same for the whole batch', async () => {
    const weights = await weightsAt(7, 3);
    expect(weights).toHaveLength(4);
    const chosen = weights[0]?.indexOf(1);
    for (const row of weights) {
      expect(row.filter((w) => w === 1)).toHaveLength(1);
      expect(row.filter((w) => w === 0)).toHaveLength(2);
      expect(row.indexOf(1)).toBe(chosen);
    }
  });

  it('draws the teacher ⌊u · K⌋ from seedrandom("<seed>/<step>")', async () => {
    for (const step of [0, 1, 2, 17]) {
      const expected = Math.floor(seedrandom(`5/${step}`)() * 3);
      expect((await weightsAt(5, step))[0]?.indexOf(1)).toBe(expected);
    }
  });

  it('is deterministic for a given seed and step', async () => {
    expect(await weightsAt(11, 42)).toEqual(await weightsAt(11, 42));
  });

  it('covers every teacher over the steps, in roughly equal shares', async () => {
    const counts = [0, 0, 0];
    for (let step = 0; step < 60; step++) {
      const index = (await weightsAt(3, step, 3, 1))[0]?.indexOf(1) as number;
      counts[index] = (counts[index] as number) + 1;
    }
    // 60 draws over 3 teachers: each expected 20 times; fewer than 8 would be a 1-in-thousands event.
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(8);
  });

  it('differs between seeds', async () => {
    const choices = async (seed: number) => {
      const picks: number[] = [];
      for (let step = 0; step < 12; step++) picks.push((await weightsAt(seed, step, 3, 1))[0]?.indexOf(1) as number);
      return picks;
    };
    expect(await choices(1)).not.toEqual(await choices(2));
  });

  it('picks the only teacher when there is one', async () => {
    expect(await weightsAt(9, 4, 1, 2)).toEqual([[1], [1]]);
  });
});
