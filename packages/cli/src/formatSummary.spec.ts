import { describe, expect, it } from 'vitest';
import { formatSummary } from './formatSummary.js';
import type { Summary } from './Summary.js';

const statistic = (mean: number, std: number) => ({ mean, std, values: [mean - std, mean + std] });

const exampleSummary: Summary = {
  name: 'demo',
  backend: 'cpu',
  seeds: [1, 2],
  classes: 3,
  examples: { train: 180, validation: 60, test: 60 },
  models: {
    'teacher:big': {
      role: 'teacher',
      accuracy: statistic(0.95, 0.01),
      validationAccuracy: statistic(0.9, 0),
      parameters: 12345,
      bytes: 51200,
      latencyMsPerExample: 0.0123,
    },
    baseline: {
      role: 'baseline',
      accuracy: statistic(0.8, 0.02),
      validationAccuracy: statistic(0.75, 0.05),
      parameters: 51,
      bytes: 1536,
      latencyMsPerExample: 0.002,
    },
    student: {
      role: 'student',
      accuracy: statistic(0.85, 0.03),
      validationAccuracy: statistic(0.8, 0),
      parameters: 51,
      bytes: 1536,
      latencyMsPerExample: 0.004,
    },
  },
  gain: statistic(0.05, 0.01),
  wallSeconds: 12.4,
};

describe('formatSummary', () => {
  it('prints a table with a column per measure, right-aligned, and the gain', () => {
    // Widths: the longest of title and cells, 'teacher:big' 11, '95.00 ± 1.00' 12, 'val. acc. %' 11, 'parameters' 10,
    // '50.0 KiB' 8 (51200 / 1024 = 50), 'latency/ex.' 11 (0.0123 ms = 12.3 µs); columns joined by two spaces.
    expect(formatSummary(exampleSummary).split('\n')).toEqual([
      'demo: 60 test examples, 2 seeds, backend cpu, 12 s',
      'model         test acc. %  val. acc. %  parameters      size  latency/ex.',
      'teacher:big  95.00 ± 1.00        90.00      12,345  50.0 KiB      12.3 µs',
      'baseline     80.00 ± 2.00        75.00          51   1.5 KiB       2.0 µs',
      'student      85.00 ± 3.00        80.00          51   1.5 KiB       4.0 µs',
      'Distillation helped: the distilled student beat the student trained alone on 2 of 2 seeds, by +5.00 ± 1.00 points of test accuracy; per seed +4.00, +6.00.',
    ]);
  });

  it('says “1 seed” and leaves out the gain when there is no baseline', () => {
    const { gain: _gain, ...withoutGain } = exampleSummary;
    const lines = formatSummary({ ...withoutGain, seeds: [3] }).split('\n');
    expect(lines[0]).toBe('demo: 60 test examples, 1 seed, backend cpu, 12 s');
    expect(lines).toHaveLength(5);
    expect(lines.some((line) => line.includes('Distillation'))).toBe(false);
  });

  it('adds the share of the teacher–student gap that distillation closed', () => {
    const lines = formatSummary({ ...exampleSummary, gapClosed: { reference: 'teacher:big', gap: 0.15, fraction: 1 / 3 } }).split(
      '\n',
    );
    expect(lines.at(-1)).toBe(
      'It closed 33 % of the 15.00-point gap between the student trained alone (80.00 %) and teacher:big (95.00 %).',
    );
  });
});
