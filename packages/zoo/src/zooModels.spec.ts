import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from './buildZooModel.js';
import { zooModels } from './zooModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainableParameters = (model: tfl.LayersModel) =>
  model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);

/**
 * Trainable parameters at [10, 100] classes, counted on PyTorch equivalents of the same architectures
 * (torch 1.13, `sum(p.numel() for p in model.parameters() if p.requires_grad)`, batch norm's running
 * statistics being buffers), written from RepDistiller's definitions; the comment gives the published
 * rounded figure where there is one.
 */
const pytorchCounts: Record<string, readonly [number, number]> = {
  // He et al. 2016: 0.27M (their option A shortcuts have no 1×1 convs; option B adds 2,752)
  resnet20: [272_474, 278_324],
  // He et al. 2016: 0.85M
  resnet56: [855_770, 861_620],
  // He et al. 2016: 1.7M
  resnet110: [1_730_714, 1_736_564],
  // Tian et al. 2020: 1.2M (CIFAR-100)
  resnet8x4: [1_210_410, 1_233_540],
  // Tian et al. 2020: 7.4M (CIFAR-100)
  resnet32x4: [7_410_730, 7_433_860],
  // Zagoruyko & Komodakis 2016: 0.7M (CIFAR-10); Tian et al. 2020: 0.7M
  'wrn-16-2': [691_674, 703_284],
  // Zagoruyko & Komodakis 2016: 2.2M (CIFAR-10); Tian et al. 2020: 2.2M
  'wrn-40-2': [2_243_546, 2_255_156],
  // RepDistiller's vgg8_bn (its convolutions keep their biases)
  vgg8: [3_918_858, 3_965_028],
  // RepDistiller's vgg13_bn
  vgg13: [9_416_010, 9_462_180],
  // RepDistiller's mobile_half (width 0.5, t = 6)
  mobilenetv2: [697_546, 812_836],
  // RepDistiller's ShuffleV2 (net size 1)
  shufflenetv2: [1_263_278, 1_355_528],
};

/** Each tap's shape without the batch axis, worked out from each family's layout for 32×32×3 inputs. */
const resnetTaps = (w: readonly [number, number, number, number]) => ({
  stem: [32, 32, w[0]],
  stage1: [32, 32, w[1]],
  stage2: [16, 16, w[2]],
  stage3: [8, 8, w[3]],
  pool: [w[3]],
});
const wrnTaps = (k: number) => ({
  stem: [32, 32, 16],
  stage1: [32, 32, 16 * k],
  stage2: [16, 16, 32 * k],
  stage3: [8, 8, 64 * k],
  final: [8, 8, 64 * k],
  pool: [64 * k],
});
const vggTaps = {
  stem: [32, 32, 64],
  stage1: [16, 16, 128],
  stage2: [8, 8, 256],
  stage3: [4, 4, 512],
  stage4: [4, 4, 512],
  pool: [512],
};
const expectedTaps: Record<string, Record<string, number[]>> = {
  ...Object.fromEntries([8, 14, 20, 32, 44, 56, 110].map((depth) => [`resnet${depth}`, resnetTaps([16, 16, 32, 64])])),
  resnet8x4: resnetTaps([32, 64, 128, 256]),
  resnet32x4: resnetTaps([32, 64, 128, 256]),
  'wrn-16-1': wrnTaps(1),
  'wrn-16-2': wrnTaps(2),
  'wrn-40-1': wrnTaps(1),
  'wrn-40-2': wrnTaps(2),
  vgg8: vggTaps,
  vgg13: vggTaps,
  mobilenetv2: {
    stem: [16, 16, 16],
    stage1: [16, 16, 12],
    stage2: [8, 8, 16],
    stage3: [4, 4, 48],
    stage4: [2, 2, 160],
    head: [2, 2, 1280],
    pool: [1280],
  },
  shufflenetv2: {
    stem: [32, 32, 24],
    stage1: [16, 16, 116],
    stage2: [8, 8, 232],
    stage3: [4, 4, 464],
    head: [4, 4, 1024],
    pool: [1024],
  },
  lenet5: { stem: [28, 28, 6], stage1: [14, 14, 6], stage2: [5, 5, 16], pool: [84] },
};

describe('zooModels', () => {
  it('lists every family: the CIFAR ResNets, the ×4 ResNets, WRNs, VGGs, MobileNetV2, ShuffleNetV2 and LeNet-5', () => {
    expect(zooModels.map((entry) => entry.key)).toEqual(Object.keys(expectedTaps));
    for (const entry of zooModels) {
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.description).not.toContain('\n');
    }
  });

  it('states the parameter counts of the PyTorch equivalents, at 10 and 100 classes', () => {
    for (const [key, [ten, hundred]] of Object.entries(pytorchCounts)) {
      const entry = zooModels.find((model) => model.key === key);
      expect([entry?.parameters(10), entry?.parameters(100)], key).toEqual([ten, hundred]);
    }
  });

  it('counts LeNet-5 layer by layer: 62,006 parameters on 32×32×3, and the often-quoted 61,706 on MNIST', () => {
    // (kernel + bias) per layer: C1 5·5·3·6 + 6, C3 5·5·6·16 + 16, C5 (5·5·16)·120 + 120, F6 120·84 + 84, output 84·10 + 10.
    const layers = [5 * 5 * 3 * 6 + 6, 5 * 5 * 6 * 16 + 16, 400 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10];
    expect(layers.reduce((a, b) => a + b)).toBe(62_006);
    expect(zooModels.find((entry) => entry.key === 'lenet5')?.parameters(10)).toBe(62_006);
    // MNIST's one channel removes 5·5·2·6 = 300 of C1's kernel; the 28×28 digits are padded to 32×32, so C5 still reads 5×5×16.
    const mnist = buildZooModel('lenet5', { inputShape: [28, 28, 1], classes: 10, name: 'digits', seed: 1 });
    expect(trainableParameters(mnist)).toBe(61_706);
    expect(mnist.getLayer('digits_pad').outputShape).toEqual([null, 32, 32, 1]);
    expect(mnist.getLayer('digits_stage2').outputShape).toEqual([null, 5, 5, 16]);
    mnist.dispose();
  });

  describe.each(zooModels.map((entry) => [entry.key, entry] as const))('%s', (key, entry) => {
    it('has the trainable parameters the registry states, at 10 and 100 classes', () => {
      for (const classes of [10, 100]) {
        const model = buildZooModel(key, { inputShape: [32, 32, 3], classes, seed: 1 });
        expect(trainableParameters(model), `${key}, ${classes} classes`).toBe(entry.parameters(classes));
        model.dispose();
      }
    });

    it('names its taps <name>_stem, _stage1…, _pool and _logits, with the documented shapes', () => {
      const model = buildZooModel(key, { inputShape: [32, 32, 3], classes: 7, name: 'net', seed: 1 });
      const taps = Object.fromEntries(
        Object.keys(expectedTaps[key] ?? {}).map((tap) => [tap, model.getLayer(`net_${tap}`).outputShape]),
      );
      expect(taps).toEqual(
        Object.fromEntries(Object.entries(expectedTaps[key] ?? {}).map(([tap, shape]) => [tap, [null, ...shape]])),
      );
      expect(model.getLayer('net_logits').outputShape).toEqual([null, 7]);
      expect(model.outputs.map((output) => output.shape)).toEqual([[null, 7]]);
      model.dispose();
    });
  });
});
