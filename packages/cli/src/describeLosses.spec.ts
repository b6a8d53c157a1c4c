import { describe, expect, it } from 'vitest';
import { describeLosses } from './describeLosses.js';

describe('describeLosses', () => {
  it('gives the total alone for a single term without parts', () => {
    expect(describeLosses({ total: 0.30214, losses: { 'task.ce': 0.30214 } })).toBe('0.3021');
  });

  it('lists each term after the total, and the parts a strategy reports after its term', () => {
    const line = describeLosses({
      total: 0.41271,
      losses: { 'task.ce': 0.30212, 'response.dkd': 0.11059 },
      lossParts: { 'response.dkd': { target: 0.04121, nonTarget: 0.06938 } },
    });
    expect(line).toBe('0.4127 (task.ce 0.3021, response.dkd 0.1106: target 0.0412, nonTarget 0.0694)');
  });
});
