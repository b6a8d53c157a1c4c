import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, errorOf, scripted } from './augmentationTestKit.js';
import { ExampleStore } from './ExampleStore.js';
import { IndexedDataset } from './IndexedDataset.js';
import { randomCrop } from './randomCrop.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('randomCrop', () => {
  it('crops the zero-padded image at offsets (ox, oy) drawn as floor(r · (2p + 1)) (hand example, both ways)', () => {
    // padding 1: o = floor(r·3), so r = 0 → 0, r = 0.5 → 1 (the image as it was), r = 0.9 → 2. ox first.
    // out[y][x] = in[y + oy − 1][x + ox − 1].
    // Image 0: ox = 0, oy = 1: content moves one right: [[0, 1], [0, 3]].
    // Image 1: ox = 2, oy = 0: content moves one left and one down: row 0 zero, row 1 = [in[0][1], 0] = [2, 0].
    const image = [
      [[1], [2]],
      [[3], [4]],
    ];
    const expected = [
      [
        [[0], [1]],
        [[0], [3]],
      ],
      [
        [[0], [0]],
        [[2], [0]],
      ],
    ];
    const [viaTensors, viaValues] = bothWays(randomCrop({ padding: 1 }), [image, image], () => scripted(0, 0.5, 0.9, 0));
    expect(viaTensors).toEqual(expected);
    expect(viaValues).toEqual(expected);
  });

  it('leaves an image as it was at offset (p, p), moves all channels of a pixel together, and draws twice per image', () => {
    // padding 2: o = floor(r·5); r = 0.5 → 2 = p (no move); r = 0.99 → 4 (content moves two up/left).
    const image = [
      [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
      [
        [4, 40],
        [5, 50],
        [6, 60],
      ],
      [
        [7, 70],
        [8, 80],
        [9, 90],
      ],
    ];
    const moved = [
      [
        [9, 90],
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    ];
    const crop = randomCrop({ padding: 2 });
    const [viaTensors, viaValues] = bothWays(crop, [image, image], () => scripted(0.5, 0.5, 0.99, 0.99));
    expect(viaTensors).toEqual([image, moved]);
    expect(viaValues).toEqual([image, moved]);
    const source = scripted(0.1);
    const values = new Float32Array(3 * 2 * 2);
    crop.applyToValues?.(values, [3, 2, 2, 1], source);
    expect(source.draws).toBe(6);
  });

  it('reaches every offset in [0, 2p]² about equally often, identically both ways (1000 images)', () => {
    // 6 × 6 images of distinct positive values, so each output matches exactly one offset.
    const image = Array.from({ length: 6 }, (_, y) => Array.from({ length: 6 }, (_, x) => [6 * y + x + 1]));
    const batch = Array.from({ length: 1000 }, () => image);
    const [viaTensors, viaValues] = bothWays(randomCrop({ padding: 2 }), batch, () => seedrandom('crops'));
    expect(viaValues).toEqual(viaTensors);
    const counts = new Map<string, number>();
    const columnCounts = [0, 0, 0, 0, 0];
    for (const out of viaTensors) {
      const matches: [number, number][] = [];
      for (let oy = 0; oy <= 4; oy++) {
        for (let ox = 0; ox <= 4; ox++) {
          const fits = out.every((row, y) => row.every((pixel, x) => pixel[0] === (image[y + oy - 2]?.[x + ox - 2]?.[0] ?? 0)));
          if (fits) matches.push([ox, oy]);
        }
      }
      expect(matches).toHaveLength(1);
      const [ox, oy] = matches[0] as [number, number];
      counts.set(`${ox},${oy}`, (counts.get(`${ox},${oy}`) ?? 0) + 1);
      columnCounts[ox] = (columnCounts[ox] as number) + 1;
    }
    // 25 offsets, 40 expected each (binomial sd ≈ 6.2); each column offset 200 expected (sd ≈ 12.6).
    expect(counts.size).toBe(25);
    for (const count of counts.values()) expect(count).toBeGreaterThan(15);
    for (const count of counts.values()) expect(count).toBeLessThan(65);
    for (const count of columnCounts) expect(Math.abs(count - 200)).toBeLessThan(50);
  });

  it('leaves images alone with padding 0', () => {
    const image = [
      [[1], [2]],
      [[3], [4]],
    ];
    const [viaTensors, viaValues] = bothWays(randomCrop({ padding: 0 }), [image], () => seedrandom('any'));
    expect(viaTensors).toEqual([image]);
    expect(viaValues).toEqual([image]);
  });

  it('leaks nothing inside a tidy and does not touch its input', async () => {
    const crop = randomCrop({ padding: 4 });
    const input = tf.randomUniform([4, 8, 8, 3]);
    await expectNoLeaks(() => {
      const out = tf.tidy(() => crop.apply(input, seedrandom('x')));
      expect(out.shape).toEqual([4, 8, 8, 3]);
      out.dispose();
    });
    expect(input.isDisposed).toBe(false);
    input.dispose();
    const values = new Float32Array([1, 2, 3, 4]);
    crop.applyToValues?.(values, [1, 2, 2, 1], seedrandom('y'));
    expect(Array.from(values)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a bad padding and batches that are not images, in one line', () => {
    const error = errorOf(() => randomCrop({ padding: 1.5 }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('randomCrop: padding must be a non-negative integer, got 1.5');
    expect(errorOf(() => randomCrop({ padding: -4 })).message).toBe('randomCrop: padding must be a non-negative integer, got -4');
    const crop = randomCrop({ padding: 4 });
    const flat = tf.zeros([3, 4]);
    expect(errorOf(() => tf.tidy(() => crop.apply(flat, Math.random))).message).toBe(
      'randomCrop: expected an image batch [B, H, W, C], got [3, 4]',
    );
    flat.dispose();
    expect(errorOf(() => crop.applyToValues?.(new Float32Array(12), [3, 4], Math.random)).message).toBe(
      'randomCrop: expected an image batch [B, H, W, C], got [3, 4]',
    );
    const tabular = new ExampleStore({
      id: 't',
      inputs: new Float32Array(8),
      exampleShape: [4],
      labels: new Int32Array(2),
      numClasses: 1,
    });
    expect(errorOf(() => new IndexedDataset(tabular).withAugmentation(crop)).message).toBe(
      'randomCrop: expected images [H, W, C], got examples of shape [4]',
    );
  });
});
