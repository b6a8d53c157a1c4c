import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { temperatureAt } from './temperatureAt.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('temperatureAt', () => {
  it('returns a fixed temperature at every point of training', () => {
    for (const progress of [0, 0.3, 1]) expect(temperatureAt(4, progress)).toBe(4);
  });

  it('moves linearly from start to end', () => {
    const schedule = { start: 8, end: 2, shape: 'linear' } as const;
    expect(temperatureAt(schedule, 0)).toBeCloseTo(8, 12);
    // 8 + (2 − 8) · 1/4 = 6.5; halfway: 8 − 3 = 5.
    expect(temperatureAt(schedule, 0.25)).toBeCloseTo(6.5, 12);
    expect(temperatureAt(schedule, 0.5)).toBeCloseTo(5, 12);
    expect(temperatureAt(schedule, 1)).toBeCloseTo(2, 12);
  });

  it('follows half a cosine from start to end', () => {
    const schedule = { start: 8, end: 2, shape: 'cosine' } as const;
    expect(temperatureAt(schedule, 0)).toBeCloseTo(8, 12);
    // 2 + 6 · (1 + cos(π/4)) / 2 = 2 + 3 · (1 + √2/2) = 5 + 3√2/2.
    expect(temperatureAt(schedule, 0.25)).toBeCloseTo(5 + (3 * Math.SQRT2) / 2, 12);
    // cos(π/2) = 0: the midpoint of start and end.
    expect(temperatureAt(schedule, 0.5)).toBeCloseTo(5, 12);
    expect(temperatureAt(schedule, 1)).toBeCloseTo(2, 12);
  });

  it('can rise as well as fall', () => {
    expect(temperatureAt({ start: 1, end: 5, shape: 'linear' }, 0.75)).toBeCloseTo(4, 12);
  });

  it('holds the end points outside [0, 1]', () => {
    const schedule = { start: 8, end: 2, shape: 'cosine' } as const;
    expect(temperatureAt(schedule, -0.5)).toBeCloseTo(8, 12);
    expect(temperatureAt(schedule, 1.5)).toBeCloseTo(2, 12);
  });
});
