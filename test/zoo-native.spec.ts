import '@tensorflow/tfjs-backend-cpu';
import { nativeBackendAvailable, nativeBackendError } from '@distillery/backend-native';
import { buildZooModel, zooModels } from '@distillery/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const classes = 10;
/**
 * One model per architecture, each with the smallest square input whose last maps are still 2×2 or more:
 * tfjs's cpu backend takes seconds per step (ResNet-8 at 32×32: 4 s; ResNet-32×4 at 8×8: 23 s), and batch
 * norm in training over fewer than 8 values per channel (1×1 maps, batch 2) normalises rounding noise into
 * ±1, so the two backends could not agree there. Batch 2, but 4 for MobileNetV2: its 2×2 maps at batch 2
 * give batch norm 8 values per channel, and 50 such layers amplify rounding into gradients 10% apart;
 * ShuffleNetV2 likewise at 16×16 (2×2 last maps: its gradients moved 15% with rounding-level changes of the
 * stem's batch norm), so it runs at 24×24 (3×3). The generic families run at their smallest listed depth
 * (deeper members repeat the same block); both WRN widths run (k = 1 keeps an identity shortcut in group 1,
 * k = 2 a 1×1 conv); VGG-13 is VGG-8's blocks twice over, and 40 s on cpu, so VGG-8 stands for both.
 */
const trained: Record<string, readonly [size: number, batch: number]> = {
  resnet8: [8, 2],
  resnet8x4: [8, 2],
  'wrn-16-1': [8, 2],
  'wrn-16-2': [8, 2],
  vgg8: [16, 2],
  mobilenetv2: [32, 4],
  shufflenetv2: [24, 2],
  lenet5: [32, 4],
};
/** A key's architecture: its depths and widths as n (resnet110 → resnetn, wrn-40-2 → wrn-n-n). */
const architecture = (key: string) => key.replace(/\d+/g, 'n');

beforeAll(async () => {
  // Fails, rather than skips, where the addon did not build (CI builds it in `npm ci`).
  expect(nativeBackendError).toBeUndefined();
  expect(nativeBackendAvailable).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

interface Step {
  readonly names: string[];
  readonly loss: number;
  readonly gradients: Float32Array[];
  readonly updated: Float32Array[];
}

/**
 * One SGD step (learning rate 0.1) of cross-entropy on a fixed random batch of `batch` `size`×`size`×3 images, batch norm in
 * training mode, from the model `key` built with seed 11 on `backend`: the loss before the update, every
 * trainable variable's gradient, and the variables after it.
 */
async function trainOneStep(backend: 'cpu' | 'native', key: string, [size, batch]: readonly [number, number]): Promise<Step> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = buildZooModel(key, { inputShape: [size, size, 3], classes, seed: 11 });
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const optimizer = tf.train.sgd(0.1);
  const step = tf.tidy(() => {
    const images = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([3, 7, 1, 5].slice(0, batch), 'int32'), classes);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor),
      variables,
    );
    optimizer.applyGradients(grads);
    return {
      names: variables.map((variable) => variable.name),
      loss: value.dataSync()[0] as number,
      gradients: variables.map((variable) => (grads[variable.name] as tf.Tensor).dataSync() as Float32Array),
      updated: variables.map((variable) => variable.dataSync() as Float32Array),
    };
  });
  optimizer.dispose();
  model.dispose();
  expect(tf.memory().numTensors, `${key} on ${backend}: tensors left after dispose`).toBe(before);
  return step;
}

/**
 * Largest |a − b| over the largest |b|, so a tensor of small values is judged on its own scale, but at least
 * `floor`: some gradients are zero but for rounding (a conv bias before batch norm; a batch norm's offset
 * whose every path onwards goes through another batch norm, which removes means), and two backends'
 * rounding noise cannot agree relatively.
 */
function relativeDifference(a: Float32Array, b: Float32Array, floor: number): number {
  let difference = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    difference = Math.max(difference, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return difference / scale;
}

const largest = (tensors: readonly Float32Array[]) =>
  tensors.reduce((most, values) => values.reduce((m, value) => Math.max(m, Math.abs(value)), most), 0);

describe("every zoo architecture trains one step on 'native' as on 'cpu'", () => {
  it('covers every architecture the zoo lists', () => {
    const covered = new Set(Object.keys(trained).map(architecture));
    expect(zooModels.map((entry) => entry.key).filter((key) => !covered.has(architecture(key)))).toEqual([]);
    expect(Object.keys(trained).every((key) => zooModels.some((entry) => entry.key === key))).toBe(true);
  });

  it.each(Object.entries(trained))('%s', async (key, input) => {
    const cpu = await trainOneStep('cpu', key, input);
    const native = await trainOneStep('native', key, input);
    expect(Number.isFinite(cpu.loss)).toBe(true);
    // Float32 sums in another order (the addon's GEMM, its batch-norm kernels) differ by about 1e-6 relative.
    expect(Math.abs(native.loss - cpu.loss), `native ${native.loss}, cpu ${cpu.loss}`).toBeLessThanOrEqual(1e-4 * cpu.loss);
    const worst = (native: Float32Array[], cpu: Float32Array[]) =>
      native
        .map((values, i) => ({
          variable: names[i],
          difference: relativeDifference(values, cpu[i] as Float32Array, 1e-3 * largest(cpu)),
        }))
        .reduce((a, b) => (b.difference > a.difference ? b : a));
    const { names } = cpu;
    expect(
      worst(native.gradients, cpu.gradients).difference,
      JSON.stringify(worst(native.gradients, cpu.gradients)),
    ).toBeLessThan(1e-3);
    expect(worst(native.updated, cpu.updated).difference, 'updated weights').toBeLessThan(1e-3);
  });
});
