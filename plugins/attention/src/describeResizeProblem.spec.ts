import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeResizeProblem } from './describeResizeProblem.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('describeResizeProblem', () => {
  it('finds nothing wrong with equal sizes or integer multiples, whichever map is larger', () => {
    expect(describeResizeProblem([4, 4], [4, 4], 'avgpool')).toBeUndefined();
    expect(describeResizeProblem([8, 8], [2, 4], 'avgpool')).toBeUndefined();
    expect(describeResizeProblem([2, 2], [4, 6], 'avgpool')).toBeUndefined();
  });

  it('refuses avgpool when the sizes are not integer multiples, and suggests bilinear', () => {
    expect(describeResizeProblem([6, 6], [4, 4], 'avgpool')).toBe(
      "student map 6×6, teacher map 4×4: avgpool needs sizes that are integer multiples of each other; use resize: 'bilinear' or tap layers of matching size",
    );
    expect(describeResizeProblem([4, 4], [8, 6], 'avgpool')).toMatch(/integer multiples/);
  });

  it('lets bilinear reduce any larger map', () => {
    expect(describeResizeProblem([6, 6], [4, 4], 'bilinear')).toBeUndefined();
    expect(describeResizeProblem([3, 5], [7, 7], 'bilinear')).toBeUndefined();
  });

  it('refuses maps that are each larger in one dimension', () => {
    for (const method of ['avgpool', 'bilinear'] as const) {
      expect(describeResizeProblem([4, 2], [2, 4], method)).toBe(
        'student map 4×2, teacher map 2×4: neither is at least as large as the other in both H and W, so neither can be reduced to the other',
      );
    }
  });
});
