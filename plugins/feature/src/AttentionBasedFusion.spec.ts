import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttentionBasedFusion } from './AttentionBasedFusion.js';
import type { AttentionBasedFusionOptions } from './AttentionBasedFusionOptions.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: AttentionBasedFusion[] = [];

afterEach(() => {
  for (const made of live.splice(0)) made.dispose();
});

/** A module named under `abf/`, seed 3 unless given; freed after the test. */
function fusion(
  options: Omit<AttentionBasedFusionOptions, 'variableName' | 'seed'> & { seed?: number | string },
): AttentionBasedFusion {
  const made = new AttentionBasedFusion({ variableName: (local) => uniqueVariableName(`abf/${local}`), seed: 3, ...options });
  live.push(made);
  return made;
}

/** `apply` as plain numbers and shapes, leak-checked. */
async function run(
  module: AttentionBasedFusion,
  feature: tf.Tensor4D,
  residual?: tf.Tensor4D,
): Promise<{ output: number[]; residual: number[]; outputShape: number[]; residualShape: number[] }> {
  return expectNoLeaks(async () => {
    const result = module.apply(feature, residual);
    const values = {
      output: Array.from(await result.output.data()),
      residual: Array.from(await result.residual.data()),
      outputShape: result.output.shape,
      residualShape: result.residual.shape,
    };
    tf.dispose([result.output, result.residual]);
    return values;
  });
}

function expectClose(actual: number[], expected: number[], digits = 4): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    expect(actual[i]).toBeCloseTo(value, digits);
  });
}

const sequence = (length: number, of: (i: number) => number) => Array.from({ length }, (_, i) => of(i));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Plain batch norm of one channel's values over the batch: (v − μ) / √(σ² + 1e-5) · γ + β, σ² biased. */
function normalize(values: number[], gamma: number, beta: number): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return values.map((v) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma + beta);
}

describe('AttentionBasedFusion', () => {
  it('names and shapes its variables: conv1, bn1, the attention conv (fusing modules only), conv2, bn2', () => {
    const fusing = fusion({ inChannels: 3, midChannels: 4, outChannels: 5, fuse: true });
    const deepest = fusion({ inChannels: 6, midChannels: 4, outChannels: 7, fuse: false });
    const describe = (module: AttentionBasedFusion) => module.variables().map((v) => [v.name, v.shape, v.trainable]);
    expect(describe(fusing)).toEqual([
      ['abf/conv1/kernel', [1, 1, 3, 4], true],
      ['abf/bn1/gamma', [4], true],
      ['abf/bn1/beta', [4], true],
      ['abf/attention/kernel', [1, 1, 8, 2], true],
      ['abf/attention/bias', [2], true],
      ['abf/conv2/kernel', [3, 3, 4, 5], true],
      ['abf/bn2/gamma', [5], true],
      ['abf/bn2/beta', [5], true],
    ]);
    expect(describe(deepest)).toEqual([
      ['abf/conv1/kernel#2', [1, 1, 6, 4], true],
      ['abf/bn1/gamma#2', [4], true],
      ['abf/bn1/beta#2', [4], true],
      ['abf/conv2/kernel#2', [3, 3, 4, 7], true],
      ['abf/bn2/gamma#2', [7], true],
      ['abf/bn2/beta#2', [7], true],
    ]);
  });

  it("starts as the reference: kaiming_uniform_(a=1) convs U(±√(3/fan_in)), PyTorch's default attention conv U(±1/√(2·mid)), γ = 1, β = 0", async () => {
    const module = fusion({ inChannels: 3, midChannels: 4, outChannels: 5, fuse: true, seed: 'x' });
    // fan_in: conv1 3 (1×1 × C_in), conv2 36 (3×3 × mid), attention 8 (2·mid).
    const expected = await expectNoLeaks(async () => {
      const draws = tf.tidy(() => [
        tf.randomUniform([1, 1, 3, 4], -1, 1, 'float32', 'x/conv1'),
        tf.randomUniform([1, 1, 8, 2], -1, 1, 'float32', 'x/attention/kernel'),
        tf.randomUniform([2], -1, 1, 'float32', 'x/attention/bias'),
        tf.randomUniform([3, 3, 4, 5], -1, 1, 'float32', 'x/conv2'),
      ]);
      const values = await Promise.all(draws.map(async (draw) => Array.from(await draw.data())));
      tf.dispose(draws);
      return values;
    });
    const bounds = [Math.sqrt(3 / 3), 1 / Math.sqrt(8), 1 / Math.sqrt(8), Math.sqrt(3 / 36)];
    const variables = [module.transformKernel, module.attentionKernel, module.attentionBias, module.outputKernel];
    for (const [index, variable] of variables.entries()) {
      const values = Array.from(await (variable as tf.Variable).data());
      const bound = bounds[index] as number;
      // U(−b, b) is U(−1, 1) scaled by b for one seed: the same draws, so the stream and the bound are both right.
      expectClose(
        values,
        (expected[index] as number[]).map((u) => u * bound),
        6,
      );
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    }
    expect(Array.from(await module.transformGamma.data())).toEqual([1, 1, 1, 1]);
    expect(Array.from(await module.outputBeta.data())).toEqual([0, 0, 0, 0, 0]);
  });

  it('computes BN(conv1(x)), the sigmoid attention over [x, nearest(y)] and BN(conv3×3(·)) as worked out in plain numbers', async () => {
    const module = fusion({ inChannels: 1, midChannels: 1, outChannels: 1, fuse: true });
    module.transformKernel.assign(tf.tensor4d([2], [1, 1, 1, 1]));
    module.transformGamma.assign(tf.tensor1d([1.5]));
    module.transformBeta.assign(tf.tensor1d([0.5]));
    // Attention kernel [1, 1, in, out]: in 0 is x', in 1 is y'; out 0 weighs x', out 1 weighs y'.
    module.attentionKernel?.assign(tf.tensor4d([1, 0.5, -1, 2], [1, 1, 2, 2]));
    module.attentionBias?.assign(tf.tensor1d([0.1, -0.2]));
    const kernel3 = sequence(9, (i) => 0.1 * (i + 1) - 0.4);
    module.outputKernel.assign(tf.tensor4d(kernel3, [3, 3, 1, 1]));
    module.outputGamma.assign(tf.tensor1d([2]));
    module.outputBeta.assign(tf.tensor1d([-1]));

    const x = [1, -2, 0.5, 3, 0, 1, -1, 2]; // [2, 2, 2, 1]
    const residual = [0.3, -0.7]; // [2, 1, 1, 1]: one value per example, spread over its 2×2 map
    const feature = tf.tensor4d(x, [2, 2, 2, 1]);
    const deeper = tf.tensor4d(residual, [2, 1, 1, 1]);
    const result = await run(module, feature, deeper);

    const transformed = normalize(
      x.map((v) => 2 * v),
      1.5,
      0.5,
    );
    const fused = transformed.map((value, i) => {
      const y = residual[Math.floor(i / 4)] as number;
      return value * sigmoid(value - y + 0.1) + y * sigmoid(0.5 * value + 2 * y - 0.2);
    });
    // 3×3 convolution with one pixel of zero padding on a 2×2 map: out[h, w] = Σ k[dy, dx] · f[h + dy − 1, w + dx − 1].
    const convolved = fused.map((_, i) => {
      const [example, h, w] = [Math.floor(i / 4), Math.floor((i % 4) / 2), i % 2];
      let sum = 0;
      for (let dy = 0; dy < 3; dy++) {
        for (let dx = 0; dx < 3; dx++) {
          const [row, column] = [h + dy - 1, w + dx - 1];
          if (row < 0 || row > 1 || column < 0 || column > 1) continue;
          sum += (kernel3[dy * 3 + dx] as number) * (fused[example * 4 + row * 2 + column] as number);
        }
      }
      return sum;
    });
    expect(result.outputShape).toEqual([2, 2, 2, 1]);
    expect(result.residualShape).toEqual([2, 2, 2, 1]);
    expectClose(result.residual, fused, 4);
    expectClose(result.output, normalize(convolved, 2, -1), 4);
    tf.dispose([feature, deeper]);
  });

  it('matches the reference ABF in training mode on 3 → 2 → 2 channels, with a 2×2 residual brought to 3×3', async () => {
    const module = fusion({ inChannels: 3, midChannels: 2, outChannels: 2, fuse: true });
    module.transformKernel.assign(
      tf.tensor4d(
        sequence(6, (j) => 0.4 * Math.sin(j + 1)),
        [1, 1, 3, 2],
      ),
    );
    module.transformGamma.assign(tf.tensor1d([1.2, 0.8]));
    module.transformBeta.assign(tf.tensor1d([0.1, -0.3]));
    module.attentionKernel?.assign(
      tf.tensor4d(
        sequence(8, (j) => 0.5 * Math.cos(j)),
        [1, 1, 4, 2],
      ),
    );
    module.attentionBias?.assign(tf.tensor1d([0.2, -0.1]));
    module.outputKernel.assign(
      tf.tensor4d(
        sequence(36, (j) => 0.3 * Math.sin(0.5 * j + 1)),
        [3, 3, 2, 2],
      ),
    );
    module.outputGamma.assign(tf.tensor1d([0.9, 1.1]));
    module.outputBeta.assign(tf.tensor1d([0, 0.25]));
    const feature = tf.tensor4d(
      sequence(54, (i) => Math.sin(0.7 * i + 0.3)),
      [2, 3, 3, 3],
    );
    const deeper = tf.tensor4d(
      sequence(16, (i) => Math.cos(1.3 * i)),
      [2, 2, 2, 2],
    );
    const result = await run(module, feature, deeper);
    // From PyTorch 1.13 in float64: the reference ABF's forward (F.batch_norm(training=True, eps=1e-5),
    // F.interpolate(mode='nearest') to 3×3, conv2 with padding=1) on these values and weights, each tensor permuted
    // from NHWC / [kh, kw, in, out] to PyTorch's layouts; results permuted back to NHWC, rounded to 6 decimals.
    const output = [
      -0.887201, -0.573344, 0.677394, 0.348192, 0.690939, 1.567396, -1.413511, -0.912529, 0.686951, -0.091231, 1.439877, 2.504383,
      -0.929957, -0.41853, 0.221852, -0.289689, 1.153326, 1.837903, -0.960044, -0.342262, -0.243677, -0.727104, 0.839423,
      1.349038, -1.077254, -0.137026, -0.802689, -1.467423, 1.132991, 1.591995, -0.538719, 0.212915, -0.703624, -0.983687,
      0.713925, 1.031002,
    ];
    const residual = [
      0.280251, -0.39067, 1.782282, 0.658439, -0.677233, -0.490371, 0.290274, -0.388046, 1.780564, 0.662687, -0.687465, -0.498532,
      -0.102365, -0.044341, 1.682752, 1.187837, -0.267889, -0.554203, -0.775785, -0.349715, 1.144415, 0.971598, 0.138207,
      -0.277218, -0.760977, -0.344224, 1.142893, 0.975705, 0.131406, -0.283442, -0.851528, -0.827945, 0.909611, 0.423944, 0.03118,
      0.191556,
    ];
    expect(result.outputShape).toEqual([2, 3, 3, 2]);
    expectClose(result.output, output, 4);
    expectClose(result.residual, residual, 4);
    tf.dispose([feature, deeper]);
  });

  it('without fusion (the deepest stage) hands on BN(conv1(x)) as the residual', async () => {
    const module = fusion({ inChannels: 1, midChannels: 1, outChannels: 3, fuse: false });
    module.transformKernel.assign(tf.tensor4d([-1], [1, 1, 1, 1]));
    const x = [4, 0, 2, 6];
    const feature = tf.tensor4d(x, [4, 1, 1, 1]);
    const result = await run(module, feature);
    expect(result.outputShape).toEqual([4, 1, 1, 3]);
    expectClose(
      result.residual,
      normalize(
        x.map((v) => -v),
        1,
        0,
      ),
      4,
    );
    feature.dispose();
  });

  it('normalises every output channel over the batch and the map: mean β, variance ≈ γ²', async () => {
    const module = fusion({ inChannels: 2, midChannels: 3, outChannels: 4, fuse: false });
    module.outputBeta.assign(tf.tensor1d([0, 1, -2, 0.5]));
    const feature = tf.randomNormal([3, 4, 4, 2], 0, 2, 'float32', 5) as tf.Tensor4D;
    const { mean, variance } = await expectNoLeaks(async () => {
      const moments = tf.tidy(() => tf.moments(module.apply(feature).output, [0, 1, 2]));
      const values = { mean: Array.from(await moments.mean.data()), variance: Array.from(await moments.variance.data()) };
      tf.dispose([moments.mean, moments.variance]);
      return values;
    });
    expectClose(mean, [0, 1, -2, 0.5], 4);
    expectClose(variance, [1, 1, 1, 1], 3);
    feature.dispose();
  });

  it('sends gradients to every variable, the stage feature and the residual', async () => {
    const module = fusion({ inChannels: 2, midChannels: 3, outChannels: 2, fuse: true });
    const feature = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const residual = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const target = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 3);
    const sizes = await expectNoLeaks(async () => {
      const norms = tf.tidy(() => {
        const loss = (x: tf.Tensor4D, y: tf.Tensor4D) => {
          const { output, residual: middle } = module.apply(x, y);
          // The residual term makes bn1 and the attention reachable on their own path as well.
          return tf.add(tf.mean(tf.square(tf.sub(output, target))), tf.mean(tf.square(middle))) as tf.Scalar;
        };
        const { grads } = tf.variableGrads(() => loss(feature, residual), module.variables());
        const [dx, dy] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x as tf.Tensor4D, y as tf.Tensor4D))([feature, residual]);
        return [...module.variables().map((v) => grads[v.name] as tf.Tensor), dx as tf.Tensor, dy as tf.Tensor].map((g) =>
          tf.sum(tf.abs(g)),
        );
      });
      const values = await Promise.all(norms.map(async (norm) => (await norm.data())[0] as number));
      tf.dispose(norms);
      return values;
    });
    expect(sizes).toHaveLength(10);
    for (const size of sizes) expect(size).toBeGreaterThan(1e-6);
    tf.dispose([feature, residual, target]);
  });

  it('takes a residual exactly when it fuses, of mid channels; sizes must be positive integers', () => {
    const fusing = fusion({ inChannels: 1, midChannels: 2, outChannels: 1, fuse: true });
    const deepest = fusion({ inChannels: 1, midChannels: 2, outChannels: 1, fuse: false });
    const feature = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const wrong = tf.zeros([1, 1, 1, 3]) as tf.Tensor4D;
    expect(() => fusing.apply(feature)).toThrow('AttentionBasedFusion: a fusing module needs residual');
    expect(() => deepest.apply(feature, wrong)).toThrow('AttentionBasedFusion: the deepest module takes no residual');
    expect(() => fusing.apply(feature, wrong)).toThrow('AttentionBasedFusion: the residual has 3 channels, expected 2');
    tf.dispose([feature, wrong]);
    const before = tf.memory().numTensors;
    expect(() => fusion({ inChannels: 1, midChannels: 0, outChannels: 1, fuse: true })).toThrow(DistilleryError);
    expect(() => fusion({ inChannels: 2.5, midChannels: 1, outChannels: 1, fuse: true })).toThrow(
      'AttentionBasedFusion: inChannels must be a positive integer, got 2.5',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees every variable on dispose', () => {
    const before = tf.memory().numTensors;
    const module = new AttentionBasedFusion({
      variableName: (local) => uniqueVariableName(`abf/${local}`),
      inChannels: 2,
      midChannels: 2,
      outChannels: 2,
      fuse: true,
      seed: 1,
    });
    const variables = module.variables();
    expect(tf.memory().numTensors).toBe(before + 8);
    module.dispose();
    expect(variables.every((v) => v.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
