import { describe, expect, it } from 'vitest';
import { describeConfigChanges } from './describeConfigChanges.js';

describe('describeConfigChanges', () => {
  it('names each changed, added and removed field by its path, with both values', () => {
    const before = {
      training: { epochs: 10, optimizer: { name: 'adam' } },
      strategies: [{ key: 'response.kd', weight: 0.9 }],
      seeds: [1],
    };
    const after = {
      training: { epochs: 12, optimizer: { name: 'adam' } },
      strategies: [{ key: 'response.kd', weight: 0.5 }],
      name: 'x',
    };
    expect(describeConfigChanges(before, after)).toBe(
      'training.epochs: 10 → 12, strategies[0].weight: 0.9 → 0.5, seeds: [1] → (none), name: (none) → "x"',
    );
  });

  it('shows a few changes and counts the rest', () => {
    const before = { a: 1, b: 2, c: 3 };
    const after = { a: 2, b: 3, c: 4 };
    expect(describeConfigChanges(before, after, 2)).toBe('a: 1 → 2, b: 2 → 3, and 1 more');
  });
});
