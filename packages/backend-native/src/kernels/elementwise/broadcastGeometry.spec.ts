import { describe, expect, it } from 'vitest';
import { broadcastGeometry } from './broadcastGeometry.js';

describe('broadcastGeometry', () => {
  it('merges a bias over NHWC data into rows and channels', () => {
    expect(broadcastGeometry([64, 32, 32, 16], [16], [64, 32, 32, 16])).toEqual({
      shape: [65536, 16],
      aStrides: [16, 1],
      bStrides: [0, 1],
    });
  });

  it('keeps a two-sided broadcast as three axes', () => {
    expect(broadcastGeometry([128, 1, 256], [1, 128, 256], [128, 128, 256])).toEqual({
      shape: [128, 128, 256],
      aStrides: [256, 0, 1],
      bStrides: [0, 256, 1],
    });
  });

  it('gives a per-row value a last axis of stride 0, and equal shapes one axis', () => {
    expect(broadcastGeometry([33, 17], [33, 1], [33, 17])).toEqual({ shape: [33, 17], aStrides: [17, 1], bStrides: [1, 0] });
    expect(broadcastGeometry([2, 3, 4], [2, 3, 4], [2, 3, 4])).toEqual({ shape: [24], aStrides: [1], bStrides: [1] });
  });

  it('drops axes of size 1, and gives a scalar result one axis of one value', () => {
    expect(broadcastGeometry([5, 1, 4], [1, 1, 4], [5, 1, 4])).toEqual({ shape: [5, 4], aStrides: [4, 1], bStrides: [0, 1] });
    expect(broadcastGeometry([], [1], [1])).toEqual({ shape: [1], aStrides: [0], bStrides: [0] });
  });
});
