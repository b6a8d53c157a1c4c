import { describe, expect, it } from 'vitest';
import { describeGain } from './describeGain.js';
import type { ModelSummary, Summary } from './Summary.js';

const baseline: ModelSummary = {
  role: 'baseline',
  accuracy: { mean: 0.952, std: 0.001, values: [0.951, 0.952, 0.953] },
  validationAccuracy: { mean: 0.95, std: 0, values: [0.95, 0.95, 0.95] },
  parameters: 1,
  bytes: 1,
  latencyMsPerExample: 1,
};
const summary = (values: number[]): Summary => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    name: 'demo',
    backend: 'cpu',
    seeds: values.map((_, i) => i + 1),
    classes: 10,
    examples: { train: 1, validation: 1, test: 1 },
    models: { baseline },
    gain: { mean, std: 0.0012, values },
    wallSeconds: 1,
  };
};

describe('describeGain', () => {
  it('says distillation helped when every seed gained, with the mean, spread and each seed', () => {
    expect(describeGain(summary([0.0105, 0.012, 0.0121]))).toEqual([
      'Distillation helped: the distilled student beat the student trained alone on 3 of 3 seeds, by +1.15 ± 0.12 points of test accuracy; per seed +1.05, +1.20, +1.21.',
    ]);
  });

  it('says when it helped on some seeds only, and when it did not help', () => {
    expect(describeGain(summary([0.01, -0.002, 0.004]))[0]).toMatch(
      /^Distillation helped on 2 of 3 seeds only: .* on 2 of 3 seeds, by \+0\.40 ± 0\.12 points/,
    );
    expect(describeGain(summary([-0.003, -0.0034]))[0]).toBe(
      'Distillation did not help: the distilled student beat the student trained alone on 0 of 2 seeds, by −0.32 ± 0.12 points of test accuracy; per seed −0.30, −0.34.',
    );
    // A mean pulled above zero by one seed is not "helped" either way when most seeds lost.
    expect(describeGain(summary([0.02, -0.001, -0.001]))[0]).toMatch(/^Distillation helped on 1 of 3 seeds only/);
  });

  it('adds the share of the gap closed, and says nothing without a baseline', () => {
    const closed = { ...summary([0.0105, 0.012, 0.0121]), gapClosed: { reference: 'teacher:cnn', gap: 0.0273, fraction: 0.42 } };
    expect(describeGain(closed)[1]).toBe(
      'It closed 42 % of the 2.73-point gap between the student trained alone (95.20 %) and teacher:cnn (97.93 %).',
    );
    const { gain: _gain, ...alone } = summary([0.01]);
    expect(describeGain(alone)).toEqual([]);
  });
});
