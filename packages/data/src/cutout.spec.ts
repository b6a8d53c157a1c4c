import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, errorOf, scripted } from './augmentationTestKit.js';
import { cutout } from './cutout.js';
import { ExampleStore } from './ExampleStore.js';
import { IndexedDataset } from './IndexedDataset.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Image y·W + x + 1 at (y, x): every pixel positive, so the cut pixels are exactly the zeros. */
function numbered(height: number, width: number): number[][][] {
  return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => [width * y + x + 1]));
}

/** The image with the pixels at (y, x) for x in [x0, x1), y in [y0, y1) set to 0. */
function withHole(image: number[][][], x0: number, x1: number, y0: number, y1: number): number[][][] {
  return image.map((row, y) => row.map((pixel, x) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? pixel.map(() => 0) : pixel)));
}

describe('cutout', () => {
  it('zeroes a size × size square around the centre (floor(r·W), floor(r·H)), cx first (hand example, both ways)', () => {
    // 4 × 4, size 2: cx = floor(0.3·4) = 1, cy = floor(0.6·4) = 2; the square starts ⌊2/2⌋ = 1 before the
    // centre: columns [0, 2), rows [1, 3).
    const image = numbered(4, 4);
    const expected = withHole(image, 0, 2, 1, 3);
    const [viaTensors, viaValues] = bothWays(cutout({ size: 2 }), [image], () => scripted(0.3, 0.6));
    expect(viaTensors).toEqual([expected]);
    expect(viaValues).toEqual([expected]);
    expect(expected.flat(2).filter((value) => value === 0)).toHaveLength(4);
  });

  it('clips the square at the borders and gives an odd size a square of that size', () => {
    // Image 0, size 2 at cx = 0, cy = 3 (r = 0.1, 0.99): columns [−1, 1) → [0, 1), rows [2, 4): two pixels.
    // Image 1, size 3 on 5 × 5 at cx = 2, cy = 2 (r = 0.5, 0.5): columns and rows [1, 4): nine pixels.
    const small = numbered(4, 4);
    const [clipped] = bothWays(cutout({ size: 2 }), [small], () => scripted(0.1, 0.99));
    expect(clipped).toEqual([withHole(small, 0, 1, 2, 4)]);
    const image = numbered(5, 5);
    const [viaTensors, viaValues] = bothWays(cutout({ size: 3 }), [image], () => scripted(0.5, 0.5));
    expect(viaTensors).toEqual([withHole(image, 1, 4, 1, 4)]);
    expect(viaValues).toEqual([withHole(image, 1, 4, 1, 4)]);
  });

  it('zeroes every channel of the square and draws twice per image', () => {
    const image = [
      [
        [1, 10],
        [2, 20],
      ],
    ];
    // size 1 at cx = 1, cy = 0: only pixel (0, 1).
    const expected = [
      [
        [1, 10],
        [0, 0],
      ],
    ];
    const [viaTensors, viaValues] = bothWays(cutout({ size: 1 }), [image], () => scripted(0.7, 0.2));
    expect(viaTensors).toEqual([expected]);
    expect(viaValues).toEqual([expected]);
    const source = scripted(0.5);
    cutout({ size: 2 }).applyToValues?.(new Float32Array(3 * 4), [3, 2, 2, 1], source);
    expect(source.draws).toBe(6);
  });

  it('centres the square on every pixel of the image, about equally often, identically both ways (1000 images)', () => {
    // 8 × 8, size 4: the hole is columns [max(0, cx − 2), min(8, cx + 2)), so cx = x0 + 2 unless x0 = 0,
    // when cx = x1 − 2; the same for rows.
    const image = numbered(8, 8);
    const [viaTensors, viaValues] = bothWays(
      cutout({ size: 4 }),
      Array.from({ length: 1000 }, () => image),
      () => seedrandom('holes'),
    );
    expect(viaValues).toEqual(viaTensors);
    const centres = new Set<string>();
    const columnCounts = new Array(8).fill(0) as number[];
    for (const out of viaTensors) {
      const holes: [number, number][] = [];
      out.forEach((row, y) => {
        row.forEach((pixel, x) => {
          if (pixel[0] === 0) holes.push([x, y]);
        });
      });
      const xs = holes.map(([x]) => x);
      const ys = holes.map(([, y]) => y);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs) + 1, Math.min(...ys), Math.max(...ys) + 1];
      expect(out).toEqual(withHole(image, x0, x1, y0, y1));
      const cx = x0 > 0 ? x0 + 2 : x1 - 2;
      const cy = y0 > 0 ? y0 + 2 : y1 - 2;
      centres.add(`${cx},${cy}`);
      columnCounts[cx] = (columnCounts[cx] as number) + 1;
    }
    expect(centres.size).toBe(64);
    // 125 expected per column (binomial sd ≈ 10.5).
    for (const count of columnCounts) expect(Math.abs(count - 125)).toBeLessThan(45);
  });

  it('leaks nothing inside a tidy and does not touch its input', async () => {
    const cut = cutout({ size: 3 });
    const input = tf.randomUniform([4, 8, 8, 3], 1, 2);
    await expectNoLeaks(() => {
      const out = tf.tidy(() => cut.apply(input, seedrandom('x')));
      expect(out.shape).toEqual([4, 8, 8, 3]);
      out.dispose();
    });
    expect(input.isDisposed).toBe(false);
    expect(tf.tidy(() => tf.min(input).arraySync())).toBeGreaterThanOrEqual(1);
    input.dispose();
    const values = new Float32Array([1, 2, 3, 4]);
    cut.applyToValues?.(values, [1, 2, 2, 1], seedrandom('y'));
    expect(Array.from(values)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a bad size and batches that are not images, in one line', () => {
    const error = errorOf(() => cutout({ size: 0 }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('cutout: size must be a positive integer, got 0');
    expect(errorOf(() => cutout({ size: 2.5 })).message).toBe('cutout: size must be a positive integer, got 2.5');
    const cut = cutout({ size: 2 });
    expect(cut.description).toBe('cutout(2)');
    const flat = tf.zeros([3, 4]);
    expect(errorOf(() => tf.tidy(() => cut.apply(flat, Math.random))).message).toBe(
      'cutout: expected an image batch [B, H, W, C], got [3, 4]',
    );
    flat.dispose();
    expect(errorOf(() => cut.applyToValues?.(new Float32Array(12), [3, 4], Math.random)).message).toBe(
      'cutout: expected an image batch [B, H, W, C], got [3, 4]',
    );
    const tabular = new ExampleStore({
      id: 't',
      inputs: new Float32Array(8),
      exampleShape: [4],
      labels: new Int32Array(2),
      numClasses: 1,
    });
    expect(errorOf(() => new IndexedDataset(tabular).withAugmentation(cut)).message).toBe(
      'cutout: expected images [H, W, C], got examples of shape [4]',
    );
  });
});
