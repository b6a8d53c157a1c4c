import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fspMatrix } from './fspMatrix.js';
import { type Shape4, wave } from './relationLossTestKit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function fspValues(a: number[], aShape: Shape4, b: number[], bShape: Shape4): Promise<number[][][]> {
  return expectNoLeaks(async () => {
    const matrix = tf.tidy(() => fspMatrix(tf.tensor4d(a, aShape), tf.tensor4d(b, bShape)));
    const values = await matrix.array();
    matrix.dispose();
    return values;
  });
}

describe('fspMatrix', () => {
  it('gives aᵀb / (H·W) per example on a 1×2 map worked by hand', async () => {
    // Positions p0, p1: a = [[1, 2], [3, 4]] (2 channels), b = [[5], [6]] (1 channel).
    //   G[0, 0] = (1·5 + 3·6) / 2 = 23/2,   G[1, 0] = (2·5 + 4·6) / 2 = 17
    const matrix = await fspValues([1, 2, 3, 4], [1, 1, 2, 2], [5, 6], [1, 1, 2, 1]);
    expect(matrix).toHaveLength(1);
    expect(matrix[0]?.[0]?.[0]).toBeCloseTo(11.5, 6);
    expect(matrix[0]?.[1]?.[0]).toBeCloseTo(17, 6);
  });

  it('matches float64 PyTorch on 4×4 maps with 2 and 3 channels', async () => {
    // From fixtures/nst-fsp-cc-fixtures.py (Debian python3-torch, float64): einsum('bchw,bdhw->bcd', a, b) / (H·W) on
    // the NCHW maps, example 0 of student pair 0.
    const expected = [
      [-0.018574192824486413, -0.014968764554921882, -0.0009261246050343563],
      [-0.008287750861678697, 0.0005667642020037583, 0.00816318692683695],
    ];
    const matrix = await fspValues(wave([2, 4, 4, 2], 0.2), [2, 4, 4, 2], wave([2, 4, 4, 3], 0.5), [2, 4, 4, 3]);
    expect(matrix).toHaveLength(2);
    for (const [i, row] of expected.entries()) {
      for (const [j, value] of row.entries()) expect(matrix[0]?.[i]?.[j]).toBeCloseTo(value, 6);
    }
  });

  it('gives the transpose when the maps swap places', async () => {
    const a = wave([2, 3, 3, 2], 0.7);
    const b = wave([2, 3, 3, 4], 1.9);
    const forward = await fspValues(a, [2, 3, 3, 2], b, [2, 3, 3, 4]);
    const backward = await fspValues(b, [2, 3, 3, 4], a, [2, 3, 3, 2]);
    for (const [example, rows] of forward.entries()) {
      for (const [i, row] of rows.entries()) {
        for (const [j, value] of row.entries()) expect(backward[example]?.[j]?.[i]).toBeCloseTo(value, 6);
      }
    }
  });

  it('rejects maps that are not NHWC, cover different batches or differ in spatial size', () => {
    const run = (aShape: number[], bShape: number[]) => () => tf.tidy(() => fspMatrix(tf.ones(aShape), tf.ones(bShape)));
    expect(run([2, 4, 4, 3], [2, 2, 2, 5])).toThrow(DistilleryError);
    expect(run([2, 4, 4, 3], [2, 2, 2, 5])).toThrow(
      'fspMatrix: feature maps [2, 4, 4, 3] and [2, 2, 2, 5] differ in spatial size; resize them to one H×W first',
    );
    expect(run([2, 4, 4, 3], [1, 4, 4, 5])).toThrow(
      'fspMatrix: feature maps [2, 4, 4, 3] and [1, 4, 4, 5] cover different batches',
    );
    expect(run([2, 16], [2, 4, 4, 1])).toThrow(
      'fspMatrix: expected non-empty NHWC feature maps [B, H, W, C], got [2, 16] and [2, 4, 4, 1]',
    );
    expect(run([2, 4, 4, 0], [2, 4, 4, 1])).toThrow(
      'fspMatrix: expected non-empty NHWC feature maps [B, H, W, C], got [2, 4, 4, 0] and [2, 4, 4, 1]',
    );
    expect(() => tf.tidy(() => fspMatrix(tf.ones([1, 2, 2, 1], 'int32'), tf.ones([1, 2, 2, 1])))).toThrow(
      'fspMatrix: expected float32 feature maps, got int32 and float32',
    );
  });
});
