import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Augmentation } from './Augmentation.js';
import { bothWays, errorOf, scripted } from './augmentationTestKit.js';
import { composeAugmentations } from './composeAugmentations.js';
import { cutout } from './cutout.js';
import { ExampleStore } from './ExampleStore.js';
import { horizontalFlip } from './horizontalFlip.js';
import { IndexedDataset } from './IndexedDataset.js';
import { randomCrop } from './randomCrop.js';
import { randomShift } from './randomShift.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('composeAugmentations', () => {
  it('applies its parts in order from one random source (hand example: crop, then flip)', () => {
    // randomCrop(1) with draws 0, 0.5 (ox = 0, oy = 1): [[1, 2], [3, 4]] → [[0, 1], [0, 3]];
    // then horizontalFlip with draw 0.2 (flipped): → [[1, 0], [3, 0]].
    // The other order would flip first (draw 0 → flipped: [[2, 1], [4, 3]]) and crop with 0.5, 0.2
    // (ox = 1, oy = 0): [[0, 0], [2, 1]].
    const image = [
      [[1], [2]],
      [[3], [4]],
    ];
    const cropThenFlip = composeAugmentations([randomCrop({ padding: 1 }), horizontalFlip()]);
    const [viaTensors, viaValues] = bothWays(cropThenFlip, [image], () => scripted(0, 0.5, 0.2));
    const expected = [
      [[1], [0]],
      [[3], [0]],
    ];
    expect(viaTensors).toEqual([expected]);
    expect(viaValues).toEqual([expected]);
    const flipThenCrop = composeAugmentations([horizontalFlip(), randomCrop({ padding: 1 })]);
    const [otherOrder] = bothWays(flipThenCrop, [image], () => scripted(0, 0.5, 0.2));
    expect(otherOrder).toEqual([
      [
        [[0], [0]],
        [[2], [1]],
      ],
    ]);
  });

  it('joins its parts’ descriptions, which the dataset id carries', () => {
    const store = new ExampleStore({
      id: 'cifar',
      inputs: new Float32Array(2 * 16),
      exampleShape: [4, 4, 1],
      labels: new Int32Array(2),
      numClasses: 2,
    });
    const recipe = composeAugmentations([randomCrop({ padding: 4 }), horizontalFlip(), cutout({ size: 2 })]);
    expect(recipe.description).toBe('randomCrop(4)+horizontalFlip()+cutout(2)');
    expect(new IndexedDataset(store).withAugmentation(recipe).id).toBe('cifar+randomCrop(4)+horizontalFlip()+cutout(2)');
    expect(composeAugmentations([horizontalFlip()]).description).toBe('horizontalFlip()');
  });

  it('gives the same values on tensors and on values for the whole CIFAR recipe, as its parts applied one by one do', () => {
    const random = seedrandom('pixels');
    const batch = Array.from({ length: 50 }, () =>
      Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => [random() * 255, random() * 255, random() * 255])),
    );
    const parts = [randomCrop({ padding: 4 }), horizontalFlip(), cutout({ size: 4 }), randomShift({ maxPixels: 1 })];
    const [viaTensors, viaValues] = bothWays(composeAugmentations(parts), batch, () => seedrandom('recipe'));
    expect(viaValues).toEqual(viaTensors);
    const source = seedrandom('recipe');
    const input = tf.tensor4d(batch);
    const oneByOne = tf.tidy(() => parts.reduce((x, part) => part.apply(x, source), input as tf.Tensor).arraySync());
    input.dispose();
    expect(viaTensors).toEqual(oneByOne);
  });

  it('has the values path only when every part has one, and still applies on tensors without it', async () => {
    const negate: Augmentation = { description: 'negate', apply: (inputs) => tf.neg(inputs) };
    const mixed = composeAugmentations([horizontalFlip(), negate]);
    expect(mixed.applyToValues).toBeUndefined();
    const input = tf.tensor4d([[[[1], [2]]]]);
    const out = await expectNoLeaks(() => tf.tidy(() => mixed.apply(input, scripted(0)).arraySync()));
    expect(out).toEqual([[[[-2], [-1]]]]);
    input.dispose();
  });

  it('checks the example shape with every part, and refuses an empty list', () => {
    const tabular = new ExampleStore({
      id: 't',
      inputs: new Float32Array(8),
      exampleShape: [4],
      labels: new Int32Array(2),
      numClasses: 1,
    });
    const anyShape: Augmentation = { description: 'any', apply: (inputs) => inputs };
    expect(
      errorOf(() => new IndexedDataset(tabular).withAugmentation(composeAugmentations([anyShape, cutout({ size: 2 })]))).message,
    ).toBe('cutout: expected images [H, W, C], got examples of shape [4]');
    const error = errorOf(() => composeAugmentations([]));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('composeAugmentations: expected at least one augmentation, got none');
  });

  it('makes IndexedDataset batches that depend only on (seed, epoch)', () => {
    const inputs = new Float32Array(12 * 16).map((_, i) => 1 + (i % 16));
    const store = new ExampleStore({ id: 'tiny', inputs, exampleShape: [4, 4, 1], labels: new Int32Array(12), numClasses: 1 });
    const dataset = new IndexedDataset(store).withAugmentation(
      composeAugmentations([randomCrop({ padding: 2 }), horizontalFlip(), cutout({ size: 2 })]),
    );
    const pass = (epoch: number): number[] => {
      const values: number[] = [];
      for (const batch of dataset.batches({ batchSize: 5, shuffle: true, seed: 7, epoch, augment: true })) {
        values.push(...batch.inputs.dataSync());
        tf.dispose([batch.inputs, batch.labels]);
      }
      return values;
    };
    expect(pass(0)).toEqual(pass(0));
    expect(pass(1)).not.toEqual(pass(0));
  });
});
