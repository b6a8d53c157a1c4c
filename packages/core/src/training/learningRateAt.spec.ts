import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { learningRateAt } from './learningRateAt.js';
import { trainingOptionsSchema } from './trainingOptionsSchema.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learningRateAt', () => {
  it('keeps a constant rate at every step', () => {
    const options = trainingOptionsSchema.parse({ epochs: 3, optimizer: { name: 'sgd', learningRate: 0.1 } });
    for (const step of [0, 1, 7, 29]) expect(learningRateAt(options, step, 10)).toBe(0.1);
  });

  it('multiplies the rate by gamma every everyEpochs epochs under a step schedule', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 10,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      schedule: { type: 'step', everyEpochs: 2, gamma: 0.5 },
    });
    // 10 steps per epoch, so epoch = ⌊step / 10⌋ and rate = 0.1 · 0.5^⌊epoch / 2⌋:
    // step 0 → epoch 0 → 0.1; step 19 → epoch 1 → 0.1; step 20 → epoch 2 → 0.05;
    // step 45 → epoch 4 → 0.025; step 99 → epoch 9 → 0.1 · 0.5⁴ = 0.00625
    expect(learningRateAt(options, 0, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(options, 19, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(options, 20, 10)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(options, 45, 10)).toBeCloseTo(0.025, 12);
    expect(learningRateAt(options, 99, 10)).toBeCloseTo(0.00625, 12);
  });

  it('uses gamma 0.1 when a step schedule gives none', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 4,
      optimizer: { name: 'sgd', learningRate: 1 },
      schedule: { type: 'step', everyEpochs: 1 },
    });
    // step 5 with 2 steps per epoch → epoch 2 → 1 · 0.1² = 0.01
    expect(learningRateAt(options, 5, 2)).toBeCloseTo(0.01, 12);
  });

  it('multiplies the rate by gamma at each milestone epoch under a multistep schedule (PyTorch MultiStepLR)', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 10,
      optimizer: { name: 'sgd', learningRate: 0.05 },
      schedule: { type: 'multistep', milestones: [3, 5, 8], gamma: 0.1 },
    });
    // 4 steps per epoch; rate = 0.05 · 0.1^(number of milestones ≤ epoch):
    // step 11 → epoch 2 → 0.05; step 12 → epoch 3 → 0.005; step 19 → epoch 4 → 0.005;
    // step 20 → epoch 5 → 0.0005; step 31 → epoch 7 → 0.0005; step 32 → epoch 8 → 0.00005; step 39 → 0.00005
    const expected: [number, number][] = [
      [0, 0.05],
      [11, 0.05],
      [12, 0.005],
      [19, 0.005],
      [20, 0.0005],
      [31, 0.0005],
      [32, 0.00005],
      [39, 0.00005],
    ];
    for (const [step, rate] of expected) expect(learningRateAt(options, step, 4)).toBeCloseTo(rate, 12);
  });

  it('warms up linearly on top of a multistep schedule, and uses gamma 0.1 by default', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 6,
      optimizer: { name: 'sgd', learningRate: 1 },
      schedule: { type: 'multistep', milestones: [1, 2] },
      warmupEpochs: 2,
    });
    // 3 steps per epoch → warmupSteps = 6. step 1: epoch 0 → 1 · 2/6; step 4: epoch 1 → 0.1 · 5/6;
    // step 6: epoch 2, warm-up over → 0.01.
    expect(learningRateAt(options, 1, 3)).toBeCloseTo(2 / 6, 12);
    expect(learningRateAt(options, 4, 3)).toBeCloseTo(0.1 * (5 / 6), 12);
    expect(learningRateAt(options, 6, 3)).toBeCloseTo(0.01, 12);
  });

  it('follows a half cosine from the base rate at the first step to the floor at the last', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 1,
      optimizer: { name: 'adam', learningRate: 0.1 },
      schedule: { type: 'cosine', minLearningRate: 0.01 },
    });
    // 11 steps in all, progress = step / 10; rate = 0.01 + ½ · 0.09 · (1 + cos(π · progress)):
    // step 0: cos 0 = 1 → 0.01 + 0.09 = 0.1
    // step 5: cos(π/2) = 0 → 0.01 + 0.045 = 0.055
    // step 10: cos π = −1 → 0.01
    expect(learningRateAt(options, 0, 11)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(options, 5, 11)).toBeCloseTo(0.055, 12);
    expect(learningRateAt(options, 10, 11)).toBeCloseTo(0.01, 12);
  });

  it('decays a cosine schedule to zero by default', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 2,
      optimizer: { name: 'adam', learningRate: 0.2 },
      schedule: { type: 'cosine' },
    });
    // 2 epochs · 3 steps = 6 steps; step 5 is the last: cos π = −1 → 0
    expect(learningRateAt(options, 5, 3)).toBeCloseTo(0, 12);
  });

  it('scales the rate by (step + 1) / warmupSteps during a linear warm-up on top of a step schedule', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 4,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      schedule: { type: 'step', everyEpochs: 1, gamma: 0.5 },
      warmupEpochs: 2,
    });
    // 4 steps per epoch → warmupSteps = 8; the scheduled rate is 0.1 · 0.5^epoch:
    // step 0: epoch 0 → 0.1 · 1/8 = 0.0125
    // step 5: epoch 1 → 0.05 · 6/8 = 0.0375
    // step 7: epoch 1 → 0.05 · 8/8 = 0.05
    // step 8: epoch 2, warm-up over → 0.025
    expect(learningRateAt(options, 0, 4)).toBeCloseTo(0.0125, 12);
    expect(learningRateAt(options, 5, 4)).toBeCloseTo(0.0375, 12);
    expect(learningRateAt(options, 7, 4)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(options, 8, 4)).toBeCloseTo(0.025, 12);
  });

  it('scales a cosine schedule during warm-up', () => {
    const options = trainingOptionsSchema.parse({
      epochs: 2,
      optimizer: { name: 'adam', learningRate: 0.1 },
      schedule: { type: 'cosine' },
      warmupEpochs: 1,
    });
    // 5 steps per epoch → 10 steps, progress = step / 9, warmupSteps = 5.
    // step 3: progress 1/3, cos(π/3) = ½ → ½ · 0.1 · 1.5 = 0.075; warm-up factor 4/5 → 0.06
    expect(learningRateAt(options, 3, 5)).toBeCloseTo(0.06, 12);
  });
});
