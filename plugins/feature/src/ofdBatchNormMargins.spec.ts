import { DistilleryError, type LayerWeight } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { ofdBatchNormMargins } from './ofdBatchNormMargins.js';
import { ofdMargin } from './ofdMargin.js';

const weight = (name: string, values: number[]): LayerWeight => ({
  name,
  shape: [values.length],
  values: new Float32Array(values),
});
const statistics = [weight('moving_mean', [5, 5, 5]), weight('moving_variance', [9, 9, 9])];
const field = 'strategies[0].options.pairs[0].teacherBatchNorm';
const layer = "teacher 't' layer 'bn'";

function failure(weights: readonly LayerWeight[]): string {
  try {
    ofdBatchNormMargins(weights, field, layer);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    expect((error as DistilleryError).field).toBe(field);
    return (error as Error).message;
  }
  throw new Error('expected ofdBatchNormMargins to throw');
}

describe('ofdBatchNormMargins', () => {
  it('gives one margin per channel from γ and β, found by name; the moving statistics play no part', () => {
    const margins = ofdBatchNormMargins([weight('beta', [0, -2, 3.1]), ...statistics, weight('gamma', [1, 2, 1])], field, layer);
    // −√(2/π), the hand-worked −2.5752 for γ = 2, β = −2, and the −3γ fallback.
    expect(Array.from(margins)).toEqual([Math.fround(-Math.sqrt(2 / Math.PI)), Math.fround(ofdMargin(2, -2)), -3]);
  });

  it('reads γ = 1 without a gamma (scale: false) and β = 0 without a beta (center: false)', () => {
    expect(Array.from(ofdBatchNormMargins([weight('beta', [0, -2, 1]), ...statistics], field, layer))).toEqual(
      [ofdMargin(1, 0), ofdMargin(1, -2), ofdMargin(1, 1)].map(Math.fround),
    );
    expect(Array.from(ofdBatchNormMargins([weight('gamma', [1, 2, 0.5]), ...statistics], field, layer))).toEqual(
      [ofdMargin(1, 0), ofdMargin(2, 0), ofdMargin(0.5, 0)].map(Math.fround),
    );
    expect(Array.from(ofdBatchNormMargins(statistics, field, layer))).toEqual(new Array(3).fill(Math.fround(ofdMargin(1, 0))));
  });

  it('refuses weights that are not a batch norm’s, naming the field and what the layer has', () => {
    expect(failure([weight('kernel', [1, 2]), weight('bias', [0])])).toBe(
      `${field}: teacher 't' layer 'bn' is not a batch normalization layer (it has weights kernel, bias); name the batch norm whose output feeds the ReLU`,
    );
    expect(failure([])).toBe(
      `${field}: teacher 't' layer 'bn' is not a batch normalization layer (it has no weights); name the batch norm whose output feeds the ReLU`,
    );
  });

  it('refuses a non-finite γ or β, and γ, β of another length than the statistics', () => {
    expect(failure([weight('gamma', [1, Number.NaN, 1]), ...statistics])).toBe(
      `${field}: teacher 't' layer 'bn' has a non-finite γ or β in channel 1`,
    );
    expect(failure([weight('beta', [0, 0]), ...statistics])).toBe(
      `${field}: teacher 't' layer 'bn' has γ, β and moving statistics of different lengths`,
    );
  });
});
