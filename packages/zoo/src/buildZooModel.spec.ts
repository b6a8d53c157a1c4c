import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from './buildZooModel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const weightsOf = (key: string, seed: number) => {
  const model = buildZooModel(key, { inputShape: [32, 32, 3], classes: 10, seed });
  // Every weight, moving statistics included, by name without the model's prefix (tfjs numbers repeated names).
  const weights = model.weights.map((weight) => [weight.originalName, Array.from(weight.read().dataSync())] as const);
  model.dispose();
  return weights;
};

const errorOf = (build: () => unknown): Error => {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

describe('buildZooModel', () => {
  it.each([
    ['resnet8', 3],
    ['wrn-16-1', 2],
    ['mobilenetv2', 4],
    ['shufflenetv2', 2],
  ])('builds %s, whose forward pass on a batch of %i gives [batch, classes] logits and leaks nothing', async (key, batch) => {
    await expectNoLeaks(() => {
      const model = buildZooModel(key, { inputShape: [32, 32, 3], classes: 5, seed: 3 });
      const shapes = tf.tidy(() => {
        const logits = model.predict(tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1)) as tf.Tensor;
        return [logits.shape, tf.all(tf.isFinite(logits)).dataSync()[0]];
      });
      model.dispose();
      expect(shapes).toEqual([[batch, 5], 1]);
    });
  });

  it('gives the same initial weights for the same seed, other weights for another seed', () => {
    for (const key of ['resnet8', 'shufflenetv2']) {
      const first = weightsOf(key, 7);
      expect(weightsOf(key, 7)).toEqual(first);
      const other = weightsOf(key, 8);
      // Batch norm's ones and zeros do not depend on the seed; every kernel does.
      const changed = other.map(([name, values], i) => [name, values.some((value, j) => value !== first[i]?.[1][j])] as const);
      const kernels = changed.filter(([name]) => name.endsWith('kernel'));
      const differing = kernels.filter(([, differs]) => differs);
      expect(kernels.length, key).toBeGreaterThan(9);
      expect(differing.length, key).toBe(kernels.length);
    }
  });

  it('draws convolutions from an untruncated He normal with fan-out: a 3×3 conv to 64 filters has a spread of √(2/576)', () => {
    const model = buildZooModel('resnet8', { inputShape: [32, 32, 3], classes: 10, seed: 5 });
    const kernel = model.getLayer('resnet8_s3b1_conv2').getWeights()[0] as tf.Tensor;
    const std = tf.tidy(() => tf.sqrt(tf.moments(kernel).variance).dataSync()[0] as number);
    model.dispose();
    expect(std).toBeGreaterThan(0.97 * Math.sqrt(2 / 576));
    expect(std).toBeLessThan(1.03 * Math.sqrt(2 / 576));
  });

  it('names the model and its layers after the key when no name is given', () => {
    const model = buildZooModel('wrn-16-1', { inputShape: [32, 32, 3], classes: 10 });
    expect([model.name, model.getLayer('wrn_16_1_stage3').outputShape]).toEqual(['wrn_16_1', [null, 8, 8, 64]]);
    model.dispose();
  });

  it('parses other depths of the families: resnet44x4 and wrn-22-4', () => {
    const resnet = buildZooModel('resnet44x4', { inputShape: [32, 32, 3], classes: 10, name: 'r' });
    const wrn = buildZooModel('wrn-22-4', { inputShape: [32, 32, 3], classes: 10, name: 'w' });
    // 7 blocks per stage; 3 blocks per group, 64-128-256 filters.
    expect(resnet.layers.filter((layer) => /^r_s3b\d+_add$/.test(layer.name))).toHaveLength(7);
    expect(resnet.getLayer('r_s3b7_add').outputShape).toEqual([null, 8, 8, 256]);
    expect([wrn.getLayer('w_s3b3_conv2').outputShape, wrn.getLayer('w_stage1').outputShape]).toEqual([
      [null, 8, 8, 256],
      [null, 32, 32, 64],
    ]);
    resnet.dispose();
    wrn.dispose();
  });

  it('names the keys that exist when a key misses', () => {
    const error = errorOf(() => buildZooModel('resnet', { inputShape: [32, 32, 3], classes: 10 }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      "unknown zoo model 'resnet': the zoo has resnet8, resnet14, resnet20, resnet32, resnet44, resnet56, resnet110, " +
        'resnet8x4, resnet32x4, wrn-16-1, wrn-16-2, wrn-40-1, wrn-40-2, vgg8, vgg13, mobilenetv2, shufflenetv2, lenet5 ' +
        '(and any resnet<6n+2>, resnet<6n+2>x4, wrn-<6n+4>-<k>)',
    );
  });

  it.each([
    ['resnet21', "zoo model resnet21: a CIFAR ResNet's depth is 6n + 2 (8, 14, 20, 32, 44, 56, 110, …), not 21"],
    ['resnet2x4', "zoo model resnet2x4: a CIFAR ResNet's depth is 6n + 2 (8, 14, 20, 32, 44, 56, 110, …), not 2"],
    ['wrn-15-2', "zoo model wrn-15-2: a wide ResNet's depth is 6n + 4 (10, 16, 22, 28, 40, …), not 15"],
    ['wrn-16-0', 'zoo model wrn-16-0: the widen factor k is at least 1, not 0'],
  ])('refuses %s in one line', (key, message) => {
    const error = errorOf(() => buildZooModel(key, { inputShape: [32, 32, 3], classes: 10 }));
    expect([error instanceof DistilleryError, error.message]).toEqual([true, message]);
  });

  it('refuses examples that are not images, and a class count that is not a positive integer', () => {
    expect(() => buildZooModel('resnet20', { inputShape: [784], classes: 10 })).toThrow(
      'zoo model resnet20 takes images of shape [height, width, channels], not [784]',
    );
    expect(() => buildZooModel('vgg8', { inputShape: [32, 32, 3], classes: 0 })).toThrow(
      'zoo model vgg8: classes must be a positive integer, not 0',
    );
  });
});
