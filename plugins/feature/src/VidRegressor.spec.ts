import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VidRegressor } from './VidRegressor.js';
import type { VidRegressorOptions } from './VidRegressorOptions.js';
import { vidLoss } from './vidLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: VidRegressor[] = [];

/** Names the variables `test/kernel1`, `test/kernel1#2`…: unique among the live ones, as the kernel names them. */
const variableName = (local: string) => uniqueVariableName(`test/${local}`);

/** A regressor freed after the test. */
function regressor(
  options: Omit<VidRegressorOptions, 'variableName' | 'seed'> & Partial<Pick<VidRegressorOptions, 'variableName' | 'seed'>>,
): VidRegressor {
  const made = new VidRegressor({ variableName, seed: 1, ...options });
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

/** A one-channel regressor whose kernels are all [[1]]: with non-negative inputs μ is the spatially matched input. */
function identityRegressor(studentSize: [number, number], teacherSize: [number | null, number | null]): VidRegressor {
  const made = regressor({ studentShape: [null, ...studentSize, 1], teacherShape: [null, ...teacherSize, 1] });
  for (const kernel of made.kernels) kernel.assign(tf.ones([1, 1, 1, 1]));
  return made;
}

describe('VidRegressor', () => {
  it('maps [B, H, W, Cs] to [B, H, W, Ct] through 1×1 convolutions Cs → Ct → Ct → Ct, one log-scale per teacher channel', async () => {
    const conv = regressor({ studentShape: [null, 4, 4, 3], teacherShape: [null, 4, 4, 5] });
    expect(conv.kind).toBe('conv');
    expect(conv.variables().map((variable) => variable.shape)).toEqual([[1, 1, 3, 5], [1, 1, 5, 5], [1, 1, 5, 5], [5]]);
    expect((await expectNoLeaks(() => valuesOf(() => conv.apply(tf.ones([2, 4, 4, 3]))))).shape).toEqual([2, 4, 4, 5]);
  });

  it('takes the hidden width from midChannels', () => {
    const conv = regressor({ studentShape: [null, 4, 4, 3], teacherShape: [null, 4, 4, 5], midChannels: 7 });
    expect(conv.variables().map((variable) => variable.shape)).toEqual([[1, 1, 3, 7], [1, 1, 7, 7], [1, 1, 7, 5], [5]]);
  });

  it('maps vectors [B, Ds] to [B, Dt] through dense kernels Ds → Dt → Dt → Dt', async () => {
    const dense = regressor({ studentShape: [null, 6], teacherShape: [null, 4] });
    expect(dense.kind).toBe('dense');
    expect(dense.variables().map((variable) => variable.shape)).toEqual([[6, 4], [4, 4], [4, 4], [4]]);
    expect((await expectNoLeaks(() => valuesOf(() => dense.apply(tf.ones([3, 6]))))).shape).toEqual([3, 4]);
  });

  it("starts its kernels at PyTorch's default U(±1/√fan_in), seeded '<seed>/kernel<k>'", async () => {
    const conv = regressor({ studentShape: [null, 2, 2, 4], teacherShape: [null, 2, 2, 9], seed: 'pair' });
    // fan_in = 4, 9, 9: limits 1/2, 1/3, 1/3.
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => [
        Array.from(tf.randomUniform([1, 1, 4, 9], -1 / 2, 1 / 2, 'float32', 'pair/kernel1').dataSync()),
        Array.from(tf.randomUniform([1, 1, 9, 9], -1 / 3, 1 / 3, 'float32', 'pair/kernel2').dataSync()),
        Array.from(tf.randomUniform([1, 1, 9, 9], -1 / 3, 1 / 3, 'float32', 'pair/kernel3').dataSync()),
      ]),
    );
    const kernels = conv.kernels.map((kernel) => Array.from(kernel.dataSync()));
    expect(kernels).toEqual(expected);
    expect(Math.max(...(kernels[0] as number[]).map(Math.abs))).toBeGreaterThan(0.25);
    expect(Math.max(...(kernels[1] as number[]).map(Math.abs))).toBeLessThanOrEqual(1 / 3);
  });

  it('starts every channel at variance initVariance: s = log(exp(initVariance − ε) − 1)', async () => {
    const byDefault = regressor({ studentShape: [null, 3], teacherShape: [null, 2] });
    // 5 − 1e-5 = 4.99999; log(e^4.99999 − 1) = 4.99999 + log(1 − e^−4.99999) ≈ 4.9932292
    expect(Array.from(byDefault.logScale.dataSync())).toEqual(new Array(2).fill(Math.fround(Math.log(Math.expm1(5 - 1e-5)))));
    const chosen = regressor({ studentShape: [null, 3], teacherShape: [null, 2], initVariance: 0.5, eps: 0.1 });
    expect([byDefault.eps, chosen.eps]).toEqual([1e-5, 0.1]);
    const variances = await expectNoLeaks(() => valuesOf(() => tf.add(tf.softplus(chosen.logScale), 0.1)));
    expect(variances.values[0]).toBeCloseTo(0.5, 6);
    expect(variances.values[1]).toBeCloseTo(0.5, 6);
  });

  it('computes each pixel as conv₃(relu(conv₂(relu(conv₁ x)))), with no bias', async () => {
    const conv = regressor({ studentShape: [null, 1, 2, 3], teacherShape: [null, 1, 2, 2] });
    const input = [0.9, -1.4, 0.3, -0.2, 1.7, 0.8];
    const [first, second, third] = conv.kernels.map((kernel) => Array.from(kernel.dataSync())) as [number[], number[], number[]];
    const output = await expectNoLeaks(() => valuesOf(() => conv.apply(tf.tensor4d(input, [1, 1, 2, 3]))));
    // x·K for a row x and a [in, out] kernel K stored row-major; ReLU between the layers.
    const times = (x: number[], kernel: number[], outputs: number) =>
      Array.from({ length: outputs }, (_, o) =>
        x.reduce((sum, value, i) => sum + value * (kernel[i * outputs + o] as number), 0),
      );
    const relu = (x: number[]) => x.map((value) => Math.max(0, value));
    const expected = [input.slice(0, 3), input.slice(3)].flatMap((pixel) =>
      times(relu(times(relu(times(pixel, first, 2)), second, 2)), third, 2),
    );
    expect(output.values).toHaveLength(4);
    expected.forEach((value, i) => {
      expect(output.values[i]).toBeCloseTo(value, 5);
    });
    // The ReLUs matter: these kernels give a negative hidden activation somewhere.
    const hidden = [input.slice(0, 3), input.slice(3)].flatMap((pixel) => times(pixel, first, 2));
    expect(hidden.some((value) => value < 0)).toBe(true);
  });

  it('computes the dense regressor as relu(relu(x·K₁)·K₂)·K₃', async () => {
    const dense = regressor({ studentShape: [null, 2], teacherShape: [null, 2] });
    dense.kernels[0].assign(tf.tensor2d([1, -1, 2, 0.5], [2, 2]));
    dense.kernels[1].assign(tf.tensor2d([1, 0, -1, 1], [2, 2]));
    dense.kernels[2].assign(tf.tensor2d([2, 1, 0, 3], [2, 2]));
    // x = [1, 1]: x·K₁ = [3, −0.5] → relu [3, 0]; ·K₂ = [3, 0] → relu [3, 0]; ·K₃ = [6, 3].
    // x = [−1, 0]: x·K₁ = [−1, 1] → [0, 1]; ·K₂ = [−1, 1] → [0, 1]; ·K₃ = [0, 3].
    const output = await expectNoLeaks(() => valuesOf(() => dense.apply(tf.tensor2d([1, 1, -1, 0], [2, 2]))));
    expect(output.values).toEqual([6, 3, 0, 3]);
  });

  it('average-pools a student map that is an integer multiple of the teacher map, before the regressor', async () => {
    const pooled = identityRegressor([6, 6], [2, 2]);
    // x[r][c] = r²: each 3×3 block averages rows 0–2 → (0 + 1 + 4)/3 = 5/3, rows 3–5 → (9 + 16 + 25)/3 = 50/3.
    // (A bilinear resize would sample the block centres instead: 1 and 16.)
    const input = tf.tensor4d(
      Array.from({ length: 36 }, (_, i) => Math.floor(i / 6) ** 2),
      [1, 6, 6, 1],
    );
    const output = await expectNoLeaks(() => valuesOf(() => pooled.apply(input)));
    expect(output.shape).toEqual([1, 2, 2, 1]);
    [5 / 3, 5 / 3, 50 / 3, 50 / 3].forEach((value, i) => {
      expect(output.values[i]).toBeCloseTo(value, 5);
    });
    // Different factors per axis: 6×6 onto 3×6 averages pairs of rows, r² → (0 + 1)/2, (4 + 9)/2, (16 + 25)/2.
    const rows = identityRegressor([6, 6], [3, 6]);
    const byRows = await expectNoLeaks(() => valuesOf(() => rows.apply(input)));
    expect(byRows.shape).toEqual([1, 3, 6, 1]);
    expect(byRows.values).toEqual([0.5, 6.5, 20.5].flatMap((value) => new Array(6).fill(value)));
    input.dispose();
  });

  it('resizes bilinearly (half-pixel centres) where the sizes are no integer multiple, the teacher map larger included', async () => {
    for (const [source, target] of [
      [
        [6, 6],
        [4, 4],
      ],
      [
        [2, 3],
        [4, 6],
      ],
    ] as [number, number][][]) {
      const resized = identityRegressor(source as [number, number], target as [number, number]);
      const input = tf.randomUniform([2, ...(source as [number, number]), 1], 0, 1, 'float32', 5);
      const output = await expectNoLeaks(() => valuesOf(() => resized.apply(input)));
      const expected = await expectNoLeaks(() =>
        valuesOf(() => tf.image.resizeBilinear(input as tf.Tensor4D, target as [number, number], false, true)),
      );
      expect(output.shape).toEqual(expected.shape);
      expected.values.forEach((value, i) => {
        expect(output.values[i]).toBeCloseTo(value, 5);
      });
      input.dispose();
    }
  });

  it("takes the teacher map's size on the batch when the model leaves it open", async () => {
    const open = identityRegressor([4, 4], [null, null]);
    const input = tf.reshape(tf.range(0, 16), [1, 4, 4, 1]);
    // 4×4 onto 2×2: the means of the 2×2 blocks of row · 4 + column.
    expect((await expectNoLeaks(() => valuesOf(() => open.apply(input, [2, 2])))).values).toEqual([2.5, 4.5, 10.5, 12.5]);
    // Without a size it keeps the student's.
    expect((await expectNoLeaks(() => valuesOf(() => open.apply(input)))).shape).toEqual([1, 4, 4, 1]);
    input.dispose();
  });

  it('trains: the gradients of vidLoss reach its three kernels, its log-scale and, through pool or resize, the input', async () => {
    for (const source of [
      [8, 4],
      [5, 3],
    ]) {
      const conv = regressor({ studentShape: [null, ...source, 2], teacherShape: [null, 4, 2, 3] });
      const input = tf.variable(tf.randomNormal([2, ...source, 2], 0, 1, 'float32', 3), true, uniqueVariableName('test/input'));
      const target = tf.randomNormal([2, 4, 2, 3], 0, 1, 'float32', 4);
      const trainable = [...conv.variables(), input];
      const norms = await expectNoLeaks(async () => {
        const sums = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => vidLoss(conv.apply(input), target, conv.logScale), trainable);
          value.dispose();
          return trainable.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
        });
        const values = await Promise.all(sums.map(async (sum) => (await sum.data())[0] as number));
        tf.dispose(sums);
        return values;
      });
      expect(norms).toHaveLength(5);
      for (const norm of norms) {
        expect(Number.isFinite(norm)).toBe(true);
        expect(norm).toBeGreaterThan(0);
      }
      tf.dispose([input, target]);
    }
  });

  it('refuses a map against a vector, or ranks other than 2 and 4, naming both shapes', () => {
    const labels = { where: 'strategies[0].options.pairs[0]', student: "student layer 's'", teacher: "teacher 't' layer 'x'" };
    expect(() => regressor({ studentShape: [null, 8, 8, 4], teacherShape: [null, 32], labels })).toThrow(DistilleryError);
    expect(() => regressor({ studentShape: [null, 8, 8, 4], teacherShape: [null, 32], labels })).toThrow(
      "strategies[0].options.pairs[0]: cannot regress student layer 's' [B, 8, 8, 4] onto teacher 't' layer 'x' [B, 32]: pair two NHWC maps [B, H, W, C] (1×1 conv regressor) or two vectors [B, D] (dense regressor)",
    );
    expect(() => regressor({ studentShape: [null, 5, 7], teacherShape: [null, 5, 7] })).toThrow(
      'VidRegressor: cannot regress student feature [B, 5, 7] onto teacher feature [B, 5, 7]',
    );
  });

  it('refuses unknown channel counts, a bad midChannels and an initVariance not above eps, leaving no tensor behind', () => {
    const before = tf.memory().numTensors;
    expect(() => regressor({ studentShape: [null, null], teacherShape: [null, 7] })).toThrow(
      'VidRegressor: cannot regress student feature [B, ?] onto teacher feature [B, 7]: the last dimension must be known to size the regressor',
    );
    expect(() => regressor({ studentShape: [null, 3], teacherShape: [null, 7], midChannels: 1.5 })).toThrow(
      'VidRegressor: midChannels must be a positive integer, got 1.5',
    );
    expect(() => regressor({ studentShape: [null, 3], teacherShape: [null, 7], initVariance: 0.1, eps: 0.1 })).toThrow(
      'VidRegressor: initVariance must be a finite number above eps, got initVariance 0.1 and eps 0.1',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names its variables through variableName, and frees what it made if naming one fails', () => {
    const asked: string[] = [];
    const named = regressor({
      studentShape: [null, 4],
      teacherShape: [null, 8],
      variableName: (local) => {
        asked.push(local);
        return uniqueVariableName(`named/${local}`);
      },
    });
    expect(asked).toEqual(['kernel1', 'kernel2', 'kernel3', 'logScale']);
    expect(named.variables().map((variable) => variable.name)).toEqual([
      'named/kernel1',
      'named/kernel2',
      'named/kernel3',
      'named/logScale',
    ]);
    const before = tf.memory().numTensors;
    const failing = (local: string) => {
      if (local === 'logScale') throw new Error('no name');
      return uniqueVariableName(`failing/${local}`);
    };
    expect(() => new VidRegressor({ variableName: failing, studentShape: [null, 4], teacherShape: [null, 8], seed: 1 })).toThrow(
      'no name',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees its kernels and log-scale on dispose', () => {
    const before = tf.memory().numTensors;
    const made = new VidRegressor({ variableName, studentShape: [null, 4], teacherShape: [null, 8], seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 4);
    made.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(made.variables().every((variable) => variable.isDisposed)).toBe(true);
  });
});
