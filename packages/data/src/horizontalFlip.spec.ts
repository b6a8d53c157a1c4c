import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { bothWays, errorOf, scripted } from './augmentationTestKit.js';
import { ExampleStore } from './ExampleStore.js';
import { horizontalFlip } from './horizontalFlip.js';
import { IndexedDataset } from './IndexedDataset.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('horizontalFlip', () => {
  it('mirrors an image left to right when its draw is below ½ and leaves it when not (hand example, both ways)', () => {
    // Draws 0.3 → flipped, 0.5 → kept (the boundary belongs to "kept"), 0.49 → flipped.
    const image = [
      [[1], [2], [3]],
      [[4], [5], [6]],
    ];
    const mirrored = [
      [[3], [2], [1]],
      [[6], [5], [4]],
    ];
    const [viaTensors, viaValues] = bothWays(horizontalFlip(), [image, image, image], () => scripted(0.3, 0.5, 0.49));
    expect(viaTensors).toEqual([mirrored, image, mirrored]);
    expect(viaValues).toEqual([mirrored, image, mirrored]);
  });

  it('moves all channels of a pixel together and draws once per image', () => {
    const image = [
      [
        [1, 10],
        [2, 20],
      ],
    ];
    const mirrored = [
      [
        [2, 20],
        [1, 10],
      ],
    ];
    const [viaTensors, viaValues] = bothWays(horizontalFlip(), [image], () => scripted(0));
    expect(viaTensors).toEqual([mirrored]);
    expect(viaValues).toEqual([mirrored]);
    const source = scripted(0.9);
    horizontalFlip().applyToValues?.(new Float32Array(5 * 4), [5, 2, 2, 1], source);
    expect(source.draws).toBe(5);
  });

  it('flips about half of 1000 images, the same ones both ways', () => {
    const image = [[[1], [2], [3], [4]]];
    const [viaTensors, viaValues] = bothWays(
      horizontalFlip(),
      Array.from({ length: 1000 }, () => image),
      () => seedrandom('flips'),
    );
    expect(viaValues).toEqual(viaTensors);
    const flipped = viaTensors.filter((out) => out[0]?.[0]?.[0] === 4).length;
    const kept = viaTensors.filter((out) => out[0]?.[0]?.[0] === 1).length;
    expect(flipped + kept).toBe(1000);
    // Binomial(1000, ½): sd ≈ 15.8, so 500 ± 60 is almost four sd.
    expect(Math.abs(flipped - 500)).toBeLessThan(60);
  });

  it('leaks nothing inside a tidy and does not touch its input', async () => {
    const flip = horizontalFlip();
    const input = tf.randomUniform([4, 8, 8, 3]);
    await expectNoLeaks(() => {
      const out = tf.tidy(() => flip.apply(input, seedrandom('x')));
      expect(out.shape).toEqual([4, 8, 8, 3]);
      out.dispose();
    });
    expect(input.isDisposed).toBe(false);
    input.dispose();
    const values = new Float32Array([1, 2]);
    flip.applyToValues?.(values, [1, 1, 2, 1], scripted(0));
    expect(Array.from(values)).toEqual([1, 2]);
  });

  it('refuses batches that are not images, in one line', () => {
    const flip = horizontalFlip();
    expect(flip.description).toBe('horizontalFlip()');
    const flat = tf.zeros([3, 4]);
    const error = errorOf(() => tf.tidy(() => flip.apply(flat, Math.random)));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('horizontalFlip: expected an image batch [B, H, W, C], got [3, 4]');
    flat.dispose();
    expect(errorOf(() => flip.applyToValues?.(new Float32Array(12), [3, 4], Math.random)).message).toBe(
      'horizontalFlip: expected an image batch [B, H, W, C], got [3, 4]',
    );
    const tabular = new ExampleStore({
      id: 't',
      inputs: new Float32Array(8),
      exampleShape: [4],
      labels: new Int32Array(2),
      numClasses: 1,
    });
    expect(errorOf(() => new IndexedDataset(tabular).withAugmentation(flip)).message).toBe(
      'horizontalFlip: expected images [H, W, C], got examples of shape [4]',
    );
  });
});
