import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from './MetricsRecord.js';
import { lossChart } from './reportCharts.js';

const record = (epoch: number, lossParts?: MetricsRecord['lossParts']): MetricsRecord => ({
  seed: 1,
  stage: 'seed1-student',
  model: 'student',
  epoch,
  loss: 0.5,
  losses: { 'task.ce': 0.3, 'response.dkd': 0.2 },
  ...(lossParts === undefined ? {} : { lossParts }),
  learningRate: 0.001,
  seconds: 1,
});

describe('the loss chart', () => {
  it('draws each term per epoch, and each part a strategy reports as a line of its own', () => {
    const chart = lossChart([record(0, { 'response.dkd': { target: 0.05, nonTarget: 0.15 } })]);
    const values = (chart.data as { values: Array<{ term: string; loss: number; epoch: number }> }).values;
    expect(values.map(({ term, loss, epoch }) => [term, loss, epoch])).toEqual([
      ['task.ce', 0.3, 1],
      ['response.dkd', 0.2, 1],
      ['response.dkd › target', 0.05, 1],
      ['response.dkd › nonTarget', 0.15, 1],
    ]);
  });

  it('draws only the terms when no strategy reports parts', () => {
    const values = (lossChart([record(2)]).data as { values: Array<{ term: string }> }).values;
    expect(values.map(({ term }) => term)).toEqual(['task.ce', 'response.dkd']);
  });
});
