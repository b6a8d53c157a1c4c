import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { factorTransferLoss } from './factorTransferLoss.js';
import { Translator } from './Translator.js';
import type { TranslatorOptions } from './TranslatorOptions.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: Translator[] = [];

const variableName = (local: string) => uniqueVariableName(`test/${local}`);

/** A translator freed after the test. */
function translator(
  options: Omit<TranslatorOptions, 'variableName' | 'seed'> & Partial<Pick<TranslatorOptions, 'variableName' | 'seed'>>,
): Translator {
  const made = new Translator({ variableName, seed: 1, ...options });
  live.push(made);
  return made;
}

afterEach(() => {
  for (const made of live.splice(0)) made.dispose();
});

async function valuesOf(compute: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  const result = tf.tidy(compute);
  const values = Array.from(await result.data());
  const shape = result.shape;
  result.dispose();
  return { shape, values };
}

/** A [3, 3, 1, 1] kernel that is `centre` at its centre and zero elsewhere: a per-pixel scale. */
const centre = (value: number) => tf.tensor4d([0, 0, 0, 0, value, 0, 0, 0, 0], [3, 3, 1, 1]);

describe('Translator', () => {
  it('maps [B, H, W, Cs] to [B, H, W, F] through 3×3 convolutions Cs → Cs → F → F, each with a bias', async () => {
    const made = translator({ studentShape: [null, 8, 8, 12], factorChannels: 16 });
    expect(made.variables().map((variable) => [variable.name, variable.shape])).toEqual([
      ['test/conv1/kernel', [3, 3, 12, 12]],
      ['test/conv1/bias', [12]],
      ['test/conv2/kernel', [3, 3, 12, 16]],
      ['test/conv2/bias', [16]],
      ['test/conv3/kernel', [3, 3, 16, 16]],
      ['test/conv3/bias', [16]],
    ]);
    const input = tf.randomNormal([2, 8, 8, 12], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect((await expectNoLeaks(() => valuesOf(() => made.apply(input)))).shape).toEqual([2, 8, 8, 16]);
    input.dispose();
  });

  it('adds a batch norm γ (starting at 1) and β (at 0) after each convolution with batchNorm', () => {
    const made = translator({ studentShape: [null, 4, 4, 3], factorChannels: 2, batchNorm: true });
    expect(made.variables().map((variable) => [variable.name, variable.shape])).toEqual([
      ['test/conv1/kernel', [3, 3, 3, 3]],
      ['test/conv1/bias', [3]],
      ['test/bn1/gamma', [3]],
      ['test/bn1/beta', [3]],
      ['test/conv2/kernel', [3, 3, 3, 2]],
      ['test/conv2/bias', [2]],
      ['test/bn2/gamma', [2]],
      ['test/bn2/beta', [2]],
      ['test/conv3/kernel', [3, 3, 2, 2]],
      ['test/conv3/bias', [2]],
      ['test/bn3/gamma', [2]],
      ['test/bn3/beta', [2]],
    ]);
    expect(Array.from((made.variables()[2] as tf.Variable).dataSync())).toEqual([1, 1, 1]);
    expect(Array.from((made.variables()[3] as tf.Variable).dataSync())).toEqual([0, 0, 0]);
  });

  it("starts kernels and biases at PyTorch's U(±1/√(9 · in)), seeded '<seed>/<local name>'", async () => {
    const made = translator({ studentShape: [null, 2, 2, 4], factorChannels: 2, seed: 't' });
    const [kernel1, bias1, kernel2] = made.variables();
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => [
        Array.from(tf.randomUniform([3, 3, 4, 4], -1 / 6, 1 / 6, 'float32', 't/conv1/kernel').dataSync()),
        Array.from(tf.randomUniform([4], -1 / 6, 1 / 6, 'float32', 't/conv1/bias').dataSync()),
      ]),
    );
    expect(Array.from((kernel1 as tf.Variable).dataSync())).toEqual(expected[0]);
    expect(Array.from((bias1 as tf.Variable).dataSync())).toEqual(expected[1]);
    expect(Math.max(...Array.from((kernel2 as tf.Variable).dataSync()).map(Math.abs))).toBeLessThanOrEqual(1 / 6);
  });

  it('computes leaky(conv(x) + b) three times, slope 0.1 below zero, worked by hand', async () => {
    // One channel; centre-only kernels scale each pixel: ×2 + 1, ×(−1) + 0, ×3 − 0.5.
    const made = translator({ studentShape: [null, 1, 2, 1], factorChannels: 1 });
    const [k1, b1, k2, b2, k3, b3] = made.variables();
    k1?.assign(centre(2));
    b1?.assign(tf.tensor1d([1]));
    k2?.assign(centre(-1));
    b2?.assign(tf.tensor1d([0]));
    k3?.assign(centre(3));
    b3?.assign(tf.tensor1d([-0.5]));
    // x = 1:  2·1 + 1 = 3 → 3;  −3 → leaky −0.3;  3·(−0.3) − 0.5 = −1.4 → leaky −0.14.
    // x = −2: 2·(−2) + 1 = −3 → −0.3;  0.3 → 0.3;  0.9 − 0.5 = 0.4 → 0.4.
    const output = await expectNoLeaks(() => valuesOf(() => made.apply(tf.tensor4d([1, -2], [1, 1, 2, 1]))));
    expect(output.values[0]).toBeCloseTo(-0.14, 6);
    expect(output.values[1]).toBeCloseTo(0.4, 6);
  });

  it("normalises each convolution's output over the batch and the map with batchNorm (ε 1e-5), worked by hand", async () => {
    // One channel, identity kernels, zero biases; batch norm at γ = 1, β = 0. Any two values a < b of a channel have
    // mean (a + b)/2 and biased variance d² with d = (b − a)/2, so batch norm maps them to ∓d/√(d² + 1e-5) ≈ ∓1 and
    // the leaky ReLU to ≈ −0.1 and 1. Input [1, 3]: d = 1, so layer 1 gives −0.0999995, 0.999995; layers 2 and 3
    // (d ≈ 0.55) do the same again, and the last gives ≈ −0.1, 1.
    const made = translator({ studentShape: [null, 1, 2, 1], factorChannels: 1, batchNorm: true });
    for (const variable of made.variables()) {
      if (variable.rank === 4) variable.assign(centre(1));
      else if (variable.name.endsWith('/bias')) variable.assign(tf.zeros([1]));
    }
    const output = await expectNoLeaks(() => valuesOf(() => made.apply(tf.tensor4d([1, 3], [1, 1, 2, 1]))));
    expect(output.values[0]).toBeCloseTo(-0.1, 4);
    expect(output.values[1]).toBeCloseTo(1, 4);
  });

  it('sends the gradient of the factor transfer loss to every kernel, bias, γ and β and to its input', async () => {
    const made = translator({ studentShape: [null, 3, 3, 2], factorChannels: 2, batchNorm: true });
    const input = tf.variable(tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 3), true, uniqueVariableName('test/input'));
    const target = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 4);
    const trainable = [...made.variables(), input];
    const norms = await expectNoLeaks(async () => {
      const sums = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => factorTransferLoss(made.apply(input as tf.Tensor as tf.Tensor4D), target),
          trainable,
        );
        value.dispose();
        return trainable.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
      });
      const values = await Promise.all(sums.map(async (sum) => (await sum.data())[0] as number));
      tf.dispose(sums);
      return values;
    });
    expect(norms).toHaveLength(13);
    for (const norm of norms) {
      expect(Number.isFinite(norm)).toBe(true);
      expect(norm).toBeGreaterThan(0);
    }
    tf.dispose([input, target]);
  });

  it('refuses vectors, unknown channels, a bad factor width and inputs of other widths, leaving no tensor behind', () => {
    const before = tf.memory().numTensors;
    const labels = { where: 'strategies[0].options.student', student: "student layer 's'" };
    expect(() => translator({ studentShape: [null, 6], factorChannels: 2, labels })).toThrow(DistilleryError);
    expect(() => translator({ studentShape: [null, 6], factorChannels: 2, labels })).toThrow(
      "strategies[0].options.student: cannot translate student layer 's' [B, 6]: factor transfer needs an NHWC map [B, H, W, C]",
    );
    expect(() => translator({ studentShape: [null, 4, 4, null], factorChannels: 2 })).toThrow(
      'Translator: cannot translate student feature [B, 4, 4, ?]: the channel count must be known to size the translator',
    );
    expect(() => translator({ studentShape: [null, 4, 4, 3], factorChannels: 1.5 })).toThrow(
      'Translator: factorChannels must be a positive integer, got 1.5',
    );
    expect(tf.memory().numTensors).toBe(before);
    const made = translator({ studentShape: [null, 4, 4, 3], factorChannels: 2 });
    const wide = tf.zeros([1, 4, 4, 5]) as tf.Tensor4D;
    expect(() => made.apply(wide)).toThrow('Translator: expected a feature with 3 channels, got [1, 4, 4, 5]');
    wide.dispose();
  });

  it('frees what it made if naming a variable fails, and everything on dispose', () => {
    const before = tf.memory().numTensors;
    const failing = (local: string) => {
      if (local === 'bn3/gamma') throw new Error('no name');
      return uniqueVariableName(`failing/${local}`);
    };
    expect(
      () => new Translator({ variableName: failing, studentShape: [null, 2, 2, 3], factorChannels: 2, seed: 1, batchNorm: true }),
    ).toThrow('no name');
    expect(tf.memory().numTensors).toBe(before);
    const made = new Translator({ variableName, studentShape: [null, 2, 2, 3], factorChannels: 2, seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 6);
    made.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
