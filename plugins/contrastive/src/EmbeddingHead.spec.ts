import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedded, type Matrix } from './crdTestKit.js';
import { EmbeddingHead } from './EmbeddingHead.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let made = 0;
const headFor = (inputSize: number, seed = 'a') =>
  new EmbeddingHead({ inputSize, outputSize: 3, seed, variableName: (local) => `head${made++}/${local}` });

describe('EmbeddingHead', () => {
  it('is normalise(x · kernel + bias), one unit vector per example', async () => {
    const head = headFor(4);
    const rows = [
      [1, 0, -2, 0.5],
      [0.3, 0.3, 0.3, -1],
    ];
    const values = await expectNoLeaks(() => tf.tidy(() => head.apply(tf.tensor2d(rows)).arraySync()));
    const expected = embedded(rows, head.kernel.arraySync() as Matrix, head.bias.arraySync() as number[]);
    values.forEach((row, b) => {
      expect(Math.hypot(...row)).toBeCloseTo(1, 6);
      row.forEach((value, d) => {
        expect(value).toBeCloseTo(expected[b]?.[d] as number, 6);
      });
    });
    head.dispose();
  });

  it('flattens each example of a feature map: [B, 2, 1, 2] is read as [B, 4]', async () => {
    const head = headFor(4);
    const rows = [[1, 2, 3, 4]];
    const [flat, map] = await expectNoLeaks(() =>
      tf.tidy(
        () =>
          [head.apply(tf.tensor2d(rows)).arraySync(), head.apply(tf.tensor4d(rows.flat(), [1, 2, 1, 2])).arraySync()] as const,
      ),
    );
    expect(map).toEqual(flat);
    head.dispose();
  });

  it('starts as PyTorch’s nn.Linear, U(±1/√D_in), the same for the same seed and otherwise not', () => {
    const [first, again, other] = [headFor(16, 's'), headFor(16, 's'), headFor(16, 't')];
    const kernel = Array.from(first.kernel.dataSync());
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(0.2);
    expect(Array.from(again.kernel.dataSync())).toEqual(kernel);
    expect(Array.from(other.kernel.dataSync())).not.toEqual(kernel);
    expect(first.variables().map(({ shape, trainable }) => [shape, trainable])).toEqual([
      [[16, 3], true],
      [[3], true],
    ]);
    for (const head of [first, again, other]) head.dispose();
    expect(first.kernel.isDisposed && first.bias.isDisposed).toBe(true);
  });
});
