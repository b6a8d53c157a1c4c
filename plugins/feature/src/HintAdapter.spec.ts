import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HintAdapter, type HintAdapterOptions } from './HintAdapter.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: HintAdapter[] = [];

/** Names the variables `test/kernel`, `test/kernel#2`…: unique among the live ones, as the kernel names them. */
const variableName = (local: string) => uniqueVariableName(`test/${local}`);

/** An adapter freed after the test. */
function adapter(
  options: Omit<HintAdapterOptions, 'variableName' | 'seed'> & Partial<Pick<HintAdapterOptions, 'variableName' | 'seed'>>,
): HintAdapter {
  const made = new HintAdapter({ variableName, seed: 1, ...options });
  live.push(made);
  return made;
}

afterEach(() => {
  for (const made of live.splice(0)) made.dispose();
});

async function shapeOf(compute: () => tf.Tensor): Promise<number[]> {
  const result = tf.tidy(compute);
  const shape = result.shape;
  result.dispose();
  return shape;
}

describe('HintAdapter', () => {
  it('maps an NHWC map [B, H, W, Cs] to [B, H, W, Ct] with a 1×1 convolution', async () => {
    const conv = adapter({ studentShape: [null, 8, 8, 4], teacherShape: [null, 8, 8, 16] });
    expect(conv.kind).toBe('conv');
    expect(conv.kernel.shape).toEqual([1, 1, 4, 16]);
    expect(conv.bias.shape).toEqual([16]);
    const shape = await expectNoLeaks(() => shapeOf(() => conv.apply(tf.ones([3, 8, 8, 4]))));
    expect(shape).toEqual([3, 8, 8, 16]);
  });

  it('maps a vector [B, Ds] to [B, Dt] with a dense layer', async () => {
    const dense = adapter({ studentShape: [null, 6], teacherShape: [null, 10] });
    expect(dense.kind).toBe('dense');
    expect(dense.kernel.shape).toEqual([6, 10]);
    const shape = await expectNoLeaks(() => shapeOf(() => dense.apply(tf.ones([5, 6]))));
    expect(shape).toEqual([5, 10]);
  });

  it('computes its 1×1 convolution as a per-pixel matrix product plus bias', async () => {
    const conv = adapter({ studentShape: [null, 2, 2, 3], teacherShape: [null, 2, 2, 2] });
    conv.bias.assign(tf.tensor1d([0.5, -1]));
    const input = Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => Math.sin(i + 1));
    const kernel = Array.from(await conv.kernel.data());
    const bias = [0.5, -1];
    const output = await expectNoLeaks(async () => {
      const result = tf.tidy(() => conv.apply(tf.tensor4d(input, [2, 2, 2, 3])));
      const values = Array.from(await result.data());
      result.dispose();
      return values;
    });
    // out[b, h, w, o] = Σ_c x[b, h, w, c] · K[0, 0, c, o] + bias[o], pixel by pixel
    const expected: number[] = [];
    for (let pixel = 0; pixel < 2 * 2 * 2; pixel++) {
      for (let o = 0; o < 2; o++) {
        let sum = bias[o] as number;
        for (let c = 0; c < 3; c++) sum += (input[pixel * 3 + c] as number) * (kernel[c * 2 + o] as number);
        expected.push(sum);
      }
    }
    expect(output).toHaveLength(expected.length);
    expected.forEach((value, i) => {
      expect(output[i]).toBeCloseTo(value, 5);
    });
  });

  it('computes its dense map as x·K + b', async () => {
    const dense = adapter({ studentShape: [null, 3], teacherShape: [null, 2] });
    dense.bias.assign(tf.tensor1d([0.25, 2]));
    const input = [1, -2, 0.5, 3, 0, -1];
    const kernel = Array.from(await dense.kernel.data());
    const output = await expectNoLeaks(async () => {
      const result = tf.tidy(() => dense.apply(tf.tensor2d(input, [2, 3])));
      const values = Array.from(await result.data());
      result.dispose();
      return values;
    });
    const expected = [0, 1].flatMap((row) =>
      [0, 1].map(
        (o) =>
          [0, 1, 2].reduce((sum, c) => sum + (input[row * 3 + c] as number) * (kernel[c * 2 + o] as number), 0) +
          ([0.25, 2][o] as number),
      ),
    );
    expected.forEach((value, i) => {
      expect(output[i]).toBeCloseTo(value, 5);
    });
  });

  it('starts from a seeded Glorot-uniform kernel and a zero bias', async () => {
    // fan_in = 4, fan_out = 16: limit = √(6 / 20) ≈ 0.5477
    const limit = Math.sqrt(6 / 20);
    const first = adapter({ studentShape: [null, 8, 8, 4], teacherShape: [null, 8, 8, 16], seed: 42 });
    const again = adapter({ studentShape: [null, 8, 8, 4], teacherShape: [null, 8, 8, 16], seed: 42 });
    const other = adapter({ studentShape: [null, 8, 8, 4], teacherShape: [null, 8, 8, 16], seed: 43 });
    const kernel = Array.from(await first.kernel.data());
    expect(kernel.every((value) => Math.abs(value) <= limit)).toBe(true);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(limit / 2);
    expect(Array.from(await again.kernel.data())).toEqual(kernel);
    expect(Array.from(await other.kernel.data())).not.toEqual(kernel);
    expect(Array.from(await first.bias.data())).toEqual(new Array(16).fill(0));
  });

  it("resizes the adapted map bilinearly to the teacher's H×W by default", async () => {
    const conv = adapter({ studentShape: [null, 8, 8, 4], teacherShape: [null, 4, 4, 6] });
    expect(await expectNoLeaks(() => shapeOf(() => conv.apply(tf.ones([2, 8, 8, 4]))))).toEqual([2, 4, 4, 6]);
  });

  it('resizes with half-pixel centres, as PyTorch F.interpolate(align_corners=False) does', async () => {
    const conv = adapter({ studentShape: [null, 4, 4, 1], teacherShape: [null, 2, 2, 1] });
    conv.kernel.assign(tf.tensor4d([2], [1, 1, 1, 1]));
    conv.bias.assign(tf.tensor1d([1]));
    // Halving with half-pixel centres samples source position 2i + ½ in each axis: the mean of each 2×2 block.
    // x = row · 4 + column: block means 2.5, 4.5, 10.5, 12.5, so 2x + 1 gives 6, 10, 22, 26.
    const output = await expectNoLeaks(async () => {
      const result = tf.tidy(() => conv.apply(tf.reshape(tf.range(0, 16), [1, 4, 4, 1])));
      const values = Array.from(await result.data());
      result.dispose();
      return values;
    });
    expect(output).toEqual([6, 10, 22, 26]);
  });

  it('trains through the resize on maps that are not square (where tfjs 4.22’s own resize gradient fails)', async () => {
    const conv = adapter({ studentShape: [null, 6, 4, 2], teacherShape: [null, 3, 2, 3] });
    const input = tf.randomNormal([2, 6, 4, 2], 0, 1, 'float32', 3);
    const target = tf.randomNormal([2, 3, 2, 3], 0, 1, 'float32', 4);
    const gradientNorms = await expectNoLeaks(() =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.mean(tf.square(tf.sub(conv.apply(input), target))) as tf.Scalar,
          conv.variables(),
        );
        return Object.values(grads).map((gradient) => tf.norm(gradient).dataSync()[0] as number);
      }),
    );
    expect(gradientNorms).toHaveLength(2);
    for (const norm of gradientNorms) {
      expect(Number.isFinite(norm)).toBe(true);
      expect(norm).toBeGreaterThan(0);
    }
    tf.dispose([input, target]);
  });

  it("refuses maps of different H×W at construction when resize is 'refuse', naming both layers and shapes", () => {
    const make = () =>
      adapter({
        studentShape: [null, 8, 8, 4],
        teacherShape: [null, 4, 4, 6],
        resize: 'refuse',
        labels: {
          where: 'strategies[0].options.pairs[0]',
          student: "student layer 's_conv1'",
          teacher: "teacher 't' layer 't_conv2'",
        },
      });
    const before = tf.memory().numTensors;
    expect(make).toThrow(DistilleryError);
    expect(make).toThrow(
      "strategies[0].options.pairs[0]: student layer 's_conv1' [B, 8, 8, 4] and teacher 't' layer 't_conv2' [B, 4, 4, 6] differ in spatial size and resize is 'refuse'",
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("accepts maps of equal H×W when resize is 'refuse'", async () => {
    const conv = adapter({ studentShape: [null, 4, 4, 2], teacherShape: [null, 4, 4, 3], resize: 'refuse' });
    expect(await expectNoLeaks(() => shapeOf(() => conv.apply(tf.ones([1, 4, 4, 2]))))).toEqual([1, 4, 4, 3]);
  });

  it('refuses a map against a vector whatever the resize option', () => {
    for (const resize of ['bilinear', 'refuse'] as const) {
      expect(() => adapter({ studentShape: [null, 8, 8, 4], teacherShape: [null, 32], resize })).toThrow(
        'HintAdapter: cannot adapt student feature [B, 8, 8, 4] and teacher feature [B, 32]: pair two NHWC maps',
      );
    }
  });

  it('refuses ranks other than 2 and 4', () => {
    expect(() => adapter({ studentShape: [null, 5, 7], teacherShape: [null, 5, 7] })).toThrow(DistilleryError);
  });

  it('refuses features whose last dimension is unknown', () => {
    expect(() => adapter({ studentShape: [null, null], teacherShape: [null, 7] })).toThrow('the last dimension must be known');
  });

  it('trains: gradients of a loss through it reach its kernel and bias', async () => {
    const dense = adapter({ studentShape: [null, 3], teacherShape: [null, 2] });
    const norms = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(dense.apply(tf.ones([2, 3])))), dense.variables());
        value.dispose();
        return dense.variables().map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
      });
      const values = await Promise.all(grads.map(async (grad) => (await grad.data())[0] as number));
      tf.dispose(grads);
      return values;
    });
    expect(norms).toHaveLength(2);
    for (const norm of norms) expect(norm).toBeGreaterThan(0);
  });

  it('names its kernel and bias through variableName, asking for each as it is created', () => {
    const asked: string[] = [];
    const named = adapter({
      studentShape: [null, 4],
      teacherShape: [null, 8],
      variableName: (local) => {
        asked.push(local);
        return uniqueVariableName(`named/${local}`);
      },
    });
    expect(asked).toEqual(['kernel', 'bias']);
    expect([named.kernel.name, named.bias.name]).toEqual(['named/kernel', 'named/bias']);
  });

  it('frees its kernel and bias on dispose', () => {
    const before = tf.memory().numTensors;
    const made = new HintAdapter({ variableName, studentShape: [null, 4], teacherShape: [null, 8], seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 2);
    made.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(made.kernel.isDisposed).toBe(true);
  });
});
