import '@tensorflow/tfjs-backend-cpu';
import { creationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ByotHead } from './ByotHead.js';
import type { ByotHeadOptions } from './ByotHeadOptions.js';
import { numericSeed } from './numericSeed.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const made: ByotHead[] = [];

afterEach(() => {
  for (const head of made.splice(0)) head.dispose();
});

/** A head named under `head/…` (made unique as the kernel does), disposed after the test. */
function makeHead(options: Partial<ByotHeadOptions> = {}): ByotHead {
  const head = new ByotHead({
    variableName: creationContext({ term: 'head' }).variableName,
    channels: 3,
    stride: 2,
    featureWidth: 8,
    classes: 5,
    seed: '7/self.byot/0',
    ...options,
  });
  made.push(head);
  return head;
}

/** [B, H, W, C] values x[b, h, w, c] = sin(1 + 32b + 8h + 2w + c): signs and sizes vary, nothing is random. */
function sineMap(): tf.Tensor4D {
  const values: number[] = [];
  for (let b = 0; b < 2; b++)
    for (let h = 0; h < 4; h++)
      for (let w = 0; w < 4; w++) for (let c = 0; c < 2; c++) values.push(Math.sin(1 + 32 * b + 8 * h + 2 * w + c));
  return tf.tensor4d(values, [2, 4, 4, 2]);
}

describe('ByotHead', () => {
  it("owns the reference's bottleneck, BN and dense variables, named in order, with M = ⌊D / 4⌋ middle channels", () => {
    const head = makeHead();
    const variables = head.variables();
    expect(variables.map((variable) => variable.shape)).toEqual([
      [1, 1, 3, 2],
      [2],
      [2],
      [2, 2, 2, 2],
      [2],
      [2],
      [1, 1, 2, 8],
      [8],
      [8],
      [8, 5],
      [5],
    ]);
    expect(variables.map((variable) => variable.name)).toEqual(
      [
        'conv1/kernel',
        'bn1/gamma',
        'bn1/beta',
        'conv2/kernel',
        'bn2/gamma',
        'bn2/beta',
        'conv3/kernel',
        'bn3/gamma',
        'bn3/beta',
        'fc/kernel',
        'fc/bias',
      ].map((local) => `head/${local}`),
    );
    expect(variables.every((variable) => variable.trainable)).toBe(true);
    expect(makeHead({ featureWidth: 3 }).variables()[0]?.shape).toEqual([1, 1, 3, 1]);
  });

  it("starts from He-normal (fan-out) kernels, γ = 1, β = 0 and a U(±1/√D) dense layer, seeded by '<seed>/<variable>'", async () => {
    const head = makeHead();
    const [conv1, gamma1, beta1, conv2, , , conv3, , , fcKernel, fcBias] = head.variables();
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => ({
        // fan-out = k·k·C_out: 1·1·2, 2·2·2 and 1·1·8.
        conv1: Array.from(
          tf.randomNormal([1, 1, 3, 2], 0, Math.sqrt(2 / 2), 'float32', numericSeed('7/self.byot/0/conv1/kernel')).dataSync(),
        ),
        conv2: Array.from(
          tf.randomNormal([2, 2, 2, 2], 0, Math.sqrt(2 / 8), 'float32', numericSeed('7/self.byot/0/conv2/kernel')).dataSync(),
        ),
        conv3: Array.from(
          tf.randomNormal([1, 1, 2, 8], 0, Math.sqrt(2 / 8), 'float32', numericSeed('7/self.byot/0/conv3/kernel')).dataSync(),
        ),
        fcKernel: Array.from(
          tf.randomUniform([8, 5], -1 / Math.sqrt(8), 1 / Math.sqrt(8), 'float32', '7/self.byot/0/fc/kernel').dataSync(),
        ),
        fcBias: Array.from(
          tf.randomUniform([5], -1 / Math.sqrt(8), 1 / Math.sqrt(8), 'float32', '7/self.byot/0/fc/bias').dataSync(),
        ),
      })),
    );
    const values = (variable: tf.Variable | undefined) => Array.from((variable as tf.Variable).dataSync());
    expect(values(conv1)).toEqual(expected.conv1);
    expect(values(conv2)).toEqual(expected.conv2);
    expect(values(conv3)).toEqual(expected.conv3);
    expect(values(fcKernel)).toEqual(expected.fcKernel);
    expect(values(fcBias)).toEqual(expected.fcBias);
    expect(values(gamma1)).toEqual([1, 1]);
    expect(values(beta1)).toEqual([0, 0]);
    // Another seed, other weights.
    expect(values(makeHead({ seed: '7/self.byot/1' }).variables()[0])).not.toEqual(expected.conv1);
  });

  it("computes the reference's branch (BN in training mode), pooling and dense layer as PyTorch does", async () => {
    const head = makeHead({ channels: 2, stride: 2, featureWidth: 4, classes: 3 });
    const [conv1, gamma1, beta1, conv2, gamma2, beta2, conv3, gamma3, beta3, fcKernel, fcBias] = head.variables();
    conv1?.assign(tf.tensor4d([0.5, -0.3], [1, 1, 2, 1]));
    conv2?.assign(tf.tensor4d([0.2, -0.4, 0.6, 0.1], [2, 2, 1, 1]));
    conv3?.assign(tf.tensor4d([1.0, -0.5, 0.3, 0.8], [1, 1, 1, 4]));
    gamma1?.assign(tf.tensor1d([1.5]));
    beta1?.assign(tf.tensor1d([0.1]));
    gamma2?.assign(tf.tensor1d([0.7]));
    beta2?.assign(tf.tensor1d([0.2]));
    gamma3?.assign(tf.tensor1d([1, 0.5, 2, 1]));
    beta3?.assign(tf.tensor1d([0, 0.1, -0.1, 0.3]));
    fcKernel?.assign(tf.tensor2d([0.1, 0.2, -0.3, 0.4, -0.1, 0.0, -0.2, 0.3, 0.5, 0.05, -0.4, 0.2], [4, 3]));
    fcBias?.assign(tf.tensor1d([0.1, 0, -0.1]));
    const map = sineMap();
    const { feature, logits } = await expectNoLeaks(async () => {
      const outputs = head.apply(map);
      const result = {
        feature: (await outputs.feature.array()) as number[][],
        logits: (await outputs.logits.array()) as number[][],
      };
      tf.dispose([outputs.feature, outputs.logits]);
      return result;
    });
    // PyTorch float64, the same weights (OIHW) and input (NCHW): Conv2d(2, 1, 1, bias=False) → BatchNorm2d(1) in train() →
    // ReLU → Conv2d(1, 1, 2, stride=2, bias=False) → BatchNorm2d → ReLU → Conv2d(1, 4, 1, bias=False) → BatchNorm2d(4)
    // → ReLU → AdaptiveAvgPool2d(1) → flatten → Linear(4, 3).
    const pytorchFeature = [
      [0.35575547042386385, 0.2628908779336889, 0.6676072384908492, 0.5057518412710067],
      [0.47712253945177535, 0.2988315497721148, 0.929070143719069, 0.5646214093702885],
    ];
    const pytorchLogits = [
      [0.13249804258124245, 0.042843441330255944, 0.2282273463724668],
      [0.10966191557872407, 0.11841383228074887, 0.3343225918980597],
    ];
    pytorchFeature.flat().forEach((value, i) => {
      expect(feature.flat()[i]).toBeCloseTo(value, 5);
    });
    pytorchLogits.flat().forEach((value, i) => {
      expect(logits.flat()[i]).toBeCloseTo(value, 5);
    });
    map.dispose();
  });

  it('normalises with the batch statistics, so shifting every input channel by a constant changes nothing', async () => {
    const head = makeHead({ channels: 2, featureWidth: 4, classes: 3 });
    const map = sineMap();
    const shifted = tf.add(map, tf.tensor1d([3, -2])) as tf.Tensor4D;
    const read = (input: tf.Tensor4D) =>
      tf.tidy(() => {
        const { feature, logits } = head.apply(input);
        return tf.concat([feature, logits], 1);
      });
    const [original, moved] = [read(map), read(shifted)];
    const difference = (await tf.max(tf.abs(tf.sub(original, moved))).data())[0] as number;
    expect(difference).toBeLessThan(1e-4);
    // …while the head does depend on the map: the two examples get different outputs.
    const rows = (await original.array()) as number[][];
    expect(rows[0]).not.toEqual(rows[1]);
    tf.dispose([map, shifted, original, moved]);
  });

  it('passes gradients to every one of its variables and to the map it reads', async () => {
    const head = makeHead({ channels: 2, featureWidth: 4, classes: 3 });
    const map = tf.variable(sineMap(), true, 'byot-head-spec/map');
    const weights = tf.tensor2d([0.3, -0.7, 1.1, 0.5, 0.2, -0.4], [2, 3]);
    const norms = await expectNoLeaks(async () => {
      const { grads, value } = tf.variableGrads(() =>
        tf.tidy(() => {
          const { feature, logits } = head.apply(map as tf.Tensor4D);
          return tf.add(tf.sum(tf.mul(logits, weights)), tf.sum(tf.square(feature))) as tf.Scalar;
        }),
      );
      const result = tf.tidy(() =>
        [map, ...head.variables()].map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)).dataSync()[0]),
      );
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    });
    expect(norms.every((norm) => (norm as number) > 0)).toBe(true);
    tf.dispose([map, weights]);
  });

  it('frees every variable on dispose, and those already made when a name is refused', () => {
    const before = tf.memory().numTensors;
    new ByotHead({
      variableName: creationContext({ term: 'freed' }).variableName,
      channels: 3,
      stride: 2,
      featureWidth: 8,
      classes: 5,
      seed: 's',
    }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(
      () =>
        new ByotHead({
          variableName: (local) => {
            if (local === 'conv2/kernel') throw new Error('name taken');
            return `refused/${local}`;
          },
          channels: 3,
          stride: 2,
          featureWidth: 8,
          classes: 5,
          seed: 's',
        }),
    ).toThrow('name taken');
    expect(tf.memory().numTensors).toBe(before);
  });
});
