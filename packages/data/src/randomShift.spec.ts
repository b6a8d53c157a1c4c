import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExampleStore } from './ExampleStore.js';
import { IndexedDataset } from './IndexedDataset.js';
import type { RandomSource } from './RandomSource.js';
import { randomShift } from './randomShift.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A "random" source that returns the given numbers in turn, to pick each shift by hand. */
function scripted(...values: number[]): RandomSource {
  let next = 0;
  return () => values[next++ % values.length] as number;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** Both implementations, on the same batch and the same draws: the tensor one and the values one. */
function shiftBothWays(maxPixels: number, batch: number[][][][], draws: () => RandomSource): [number[][][][], number[][][][]] {
  const shift = randomShift({ maxPixels });
  const input = tf.tensor4d(batch);
  const viaTensors = tf.tidy(() => shift.apply(input, draws()));
  const tensorResult = viaTensors.arraySync() as number[][][][];
  const values = shift.applyToValues?.(input.dataSync() as Float32Array, input.shape, draws()) as Float32Array;
  const valuesResult = tf.tidy(() => tf.tensor(values, input.shape).arraySync() as number[][][][]);
  tf.dispose([input, viaTensors]);
  return [tensorResult, valuesResult];
}

describe('randomShift', () => {
  it('moves content right by dx and down by dy, filling with zeros (hand example, both implementations)', () => {
    // maxPixels 1: d = floor(r·3) − 1, so r = 0.9 → +1, r = 0.5 → 0, r = 0.1 → −1. Draws: dx then dy per image.
    // Image 0: dx = +1, dy = 0: every row moves one to the right.  Image 1: dx = 0, dy = −1: rows move up one.
    const image = [
      [[1], [2], [3]],
      [[4], [5], [6]],
      [[7], [8], [9]],
    ];
    const expected = [
      [
        [[0], [1], [2]],
        [[0], [4], [5]],
        [[0], [7], [8]],
      ],
      [
        [[4], [5], [6]],
        [[7], [8], [9]],
        [[0], [0], [0]],
      ],
    ];
    const [viaTensors, viaValues] = shiftBothWays(1, [image, image], () => scripted(0.9, 0.5, 0.5, 0.1));
    expect(viaTensors).toEqual(expected);
    expect(viaValues).toEqual(expected);
  });

  it('shifts by up to two pixels with maxPixels 2 (hand example: dx = −2, dy = +2)', () => {
    // d = floor(r·5) − 2: r = 0 → −2, r = 0.99 → +2. in[y][x] = 10·y + x + 1.
    // out[y][x] = in[y − 2][x + 2]: rows 0–1 are zero; row 2 is in[0][2..4] then two zeros, and so on.
    const image = Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, x) => [10 * y + x + 1]));
    const expected = [
      [[0], [0], [0], [0], [0]],
      [[0], [0], [0], [0], [0]],
      [[3], [4], [5], [0], [0]],
      [[13], [14], [15], [0], [0]],
      [[23], [24], [25], [0], [0]],
    ];
    const [viaTensors, viaValues] = shiftBothWays(2, [image], () => scripted(0, 0.99));
    expect(viaTensors).toEqual([expected]);
    expect(viaValues).toEqual([expected]);
  });

  it('moves all channels of a pixel together', () => {
    // dx = +1, dy = +1 on a 2×2 image with two channels: only out[1][1] = in[0][0] = (1, 10) survives.
    const image = [
      [
        [1, 10],
        [2, 20],
      ],
      [
        [3, 30],
        [4, 40],
      ],
    ];
    const expected = [
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [1, 10],
      ],
    ];
    const [viaTensors, viaValues] = shiftBothWays(1, [image], () => scripted(0.9, 0.9));
    expect(viaTensors).toEqual([expected]);
    expect(viaValues).toEqual([expected]);
  });

  it('gives each image a shift in [−m, m]², reaching every one of them, identically both ways', () => {
    // 300 random 6×6 images with distinct positive values; recover each image's shift by searching all 25.
    const random = seedrandom('images');
    const batch = Array.from({ length: 300 }, () =>
      Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => [1 + Math.floor(random() * 1000)])),
    );
    const [viaTensors, viaValues] = shiftBothWays(2, batch, () => seedrandom('shifts'));
    expect(viaValues).toEqual(viaTensors);
    const seen = new Set<string>();
    viaTensors.forEach((out, b) => {
      const image = batch[b] as number[][][];
      const matches: string[] = [];
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const fits = out.every((row, y) => row.every((pixel, x) => pixel[0] === (image[y - dy]?.[x - dx]?.[0] ?? 0)));
          if (fits) matches.push(`${dx},${dy}`);
        }
      }
      expect(matches).toHaveLength(1);
      seen.add(matches[0] as string);
    });
    expect(seen.size).toBe(25);
  });

  it('leaves images alone with maxPixels 0', () => {
    const image = [
      [[1], [2]],
      [[3], [4]],
    ];
    const [viaTensors, viaValues] = shiftBothWays(0, [image], () => seedrandom('any'));
    expect(viaTensors).toEqual([image]);
    expect(viaValues).toEqual([image]);
  });

  it('leaks nothing inside a tidy, as IndexedDataset runs it, and does not dispose its input', async () => {
    const shift = randomShift({ maxPixels: 2 });
    const input = tf.randomUniform([4, 8, 8, 1]);
    await expectNoLeaks(() => {
      const out = tf.tidy(() => shift.apply(input, seedrandom('x')));
      out.dispose();
    });
    expect(input.isDisposed).toBe(false);
    input.dispose();
  });

  it('refuses a bad maxPixels and batches that are not images', () => {
    const error = errorOf(() => randomShift({ maxPixels: 1.5 }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('randomShift: maxPixels must be a non-negative integer, got 1.5');
    expect(errorOf(() => randomShift({ maxPixels: -1 })).message).toBe(
      'randomShift: maxPixels must be a non-negative integer, got -1',
    );
    const shift = randomShift({ maxPixels: 2 });
    const flat = tf.zeros([3, 4]);
    expect(errorOf(() => tf.tidy(() => shift.apply(flat, Math.random))).message).toBe(
      'randomShift: expected an image batch [B, H, W, C], got [3, 4]',
    );
    flat.dispose();
    const tabular = new ExampleStore({
      id: 't',
      inputs: new Float32Array(8),
      exampleShape: [4],
      labels: new Int32Array(2),
      numClasses: 1,
    });
    expect(errorOf(() => new IndexedDataset(tabular).withAugmentation(shift)).message).toBe(
      'randomShift: expected images [H, W, C], got examples of shape [4]',
    );
  });
});

describe('randomShift on an IndexedDataset', () => {
  /** 16 images 5×5×1, image i filled with i + 1 at its centre 3×3 and 0 around, so shifts never push content out. */
  function centredStore(): ExampleStore {
    const inputs = new Float32Array(16 * 25);
    for (let i = 0; i < 16; i++) for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) inputs[i * 25 + y * 5 + x] = i + 1;
    return new ExampleStore({ id: 'squares', inputs, exampleShape: [5, 5, 1], labels: new Int32Array(16), numClasses: 1 });
  }

  const pass = (dataset: IndexedDataset, seed: number, epoch: number): number[] => {
    const values: number[] = [];
    for (const batch of dataset.batches({ batchSize: 6, shuffle: true, seed, epoch, augment: true })) {
      values.push(...batch.inputs.dataSync());
      tf.dispose([batch.inputs, batch.labels]);
    }
    return values;
  };

  it('is deterministic for (seed, epoch) and differs across epochs', () => {
    const dataset = new IndexedDataset(centredStore()).withAugmentation(randomShift({ maxPixels: 1 }));
    expect(dataset.id).toBe('squares+randomShift(1)');
    expect(pass(dataset, 3, 0)).toEqual(pass(dataset, 3, 0));
    expect(pass(dataset, 3, 1)).not.toEqual(pass(dataset, 3, 0));
  });

  it('keeps every pixel value, since shifts are whole pixels (a 3×3 square of i + 1 stays 9 pixels of i + 1)', () => {
    const dataset = new IndexedDataset(centredStore()).withAugmentation(randomShift({ maxPixels: 1 }));
    const values = pass(dataset, 5, 0);
    for (let b = 0; b < 16; b++) {
      const image = values.slice(b * 25, (b + 1) * 25);
      const nonZero = image.filter((value) => value !== 0);
      expect(nonZero).toHaveLength(9);
      expect(new Set(nonZero).size).toBe(1);
    }
  });
});
