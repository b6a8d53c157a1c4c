import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NativeAddonBinding } from '../NativeAddonBinding.js';
import type { NativeBackend } from '../NativeBackend.js';
import { nativeBackendAvailable } from '../nativeBackendAvailable.js';
import { nativeBackendError } from '../nativeBackendError.js';
import { registerNativeBackend } from '../registerNativeBackend.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  // These tests need the built addon: they fail, rather than skip, where it did not build.
  expect(nativeBackendError).toBeUndefined();
  expect(nativeBackendAvailable).toBe(true);
  registerNativeBackend();
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic values in [-1, 1) (mulberry32), so both backends see the same inputs. */
function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

function random(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  return tf.tensor(randomValues(size, seed), shape);
}

/** Which addon functions `compute` called on the native backend, by name. */
async function onNative<T>(compute: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  await tf.setBackend('native');
  const backend = tf.backend() as NativeBackend;
  const addon = backend.addon;
  const calls: string[] = [];
  const counting = new Proxy(addon, {
    get: (target, name: keyof NativeAddonBinding) => {
      calls.push(name);
      return target[name];
    },
  });
  (backend as { addon: NativeAddonBinding }).addon = counting;
  try {
    return { result: await compute(), calls };
  } finally {
    (backend as { addon: NativeAddonBinding }).addon = addon;
  }
}

/** Runs `compute` on `backend` (inputs made inside it live there) and reads its outputs. */
async function outputsOn(
  backend: string,
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<{ values: Float32Array[]; shapes: number[][]; dtypes: string[] }> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(() => [compute()].flat());
  const values = await Promise.all(outputs.map((output) => output.data() as Promise<Float32Array>));
  const result = { values, shapes: outputs.map((output) => output.shape), dtypes: outputs.map((output) => output.dtype) };
  tf.dispose(outputs);
  return result;
}

/**
 * |native − cpu| ≤ 1e-4 · (|cpu| + mean|cpu|) elementwise: 1e-4 relative, with the tensor's own scale as
 * the floor, since a sum that cancels to near zero keeps the rounding error of its large terms, and
 * both backends add in different orders.
 */
function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const meanAbs = expected.reduce((sum, value) => sum + Math.abs(value), 0) / Math.max(1, expected.length);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      expect(Number.isNaN(a), `element ${i}: native ${a}, cpu ${e}`).toBe(Number.isNaN(e));
      continue;
    }
    if (!Number.isFinite(e)) {
      expect(a, `element ${i}`).toBe(e);
      continue;
    }
    const excess = Math.abs(a - e) / (Math.abs(e) + meanAbs + 1e-30);
    if (excess > worst) {
      worst = excess;
      worstIndex = i;
    }
  }
  expect(worst, `worst element ${worstIndex}: native ${actual[worstIndex]}, cpu ${expected[worstIndex]}`).toBeLessThanOrEqual(
    1e-4,
  );
}

/** Computes on 'cpu' and on 'native', expects equal shapes, dtypes and values; returns the addon calls made. */
async function expectNativeToMatchCpu(compute: () => tf.Tensor | tf.Tensor[]): Promise<string[]> {
  const cpu = await outputsOn('cpu', compute);
  const { result: native, calls } = await onNative(() => outputsOn('native', compute));
  expect(native.shapes).toEqual(cpu.shapes);
  expect(native.dtypes).toEqual(cpu.dtypes);
  native.values.forEach((values, i) => {
    expectClose(values, cpu.values[i] as Float32Array);
  });
  return calls;
}

const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu', 'prelu'] as const;

describe('BatchMatMul on the native backend', () => {
  it.each([
    { a: [7, 13], b: [13, 5], transposeA: false, transposeB: false },
    { a: [13, 7], b: [13, 5], transposeA: true, transposeB: false },
    { a: [7, 13], b: [5, 13], transposeA: false, transposeB: true },
    { a: [13, 7], b: [5, 13], transposeA: true, transposeB: true },
    { a: [67, 129], b: [129, 33], transposeA: false, transposeB: false },
    { a: [129, 67], b: [33, 129], transposeA: true, transposeB: true },
    { a: [1, 1], b: [1, 1], transposeA: false, transposeB: false },
    { a: [1, 9], b: [9, 1], transposeA: false, transposeB: false },
    { a: [5, 1], b: [1, 4], transposeA: false, transposeB: false },
    { a: [3, 4, 6], b: [3, 6, 5], transposeA: false, transposeB: false },
    { a: [3, 6, 4], b: [3, 5, 6], transposeA: true, transposeB: true },
  ])(
    'equals the cpu kernel for $a × $b (transposeA $transposeA, transposeB $transposeB)',
    async ({ a, b, transposeA, transposeB }) => {
      const calls = await expectNativeToMatchCpu(() => tf.matMul(random(a, 1), random(b, 2), transposeA, transposeB));
      expect(calls).toContain('matMul');
    },
  );

  it.each([
    { a: [1, 4, 6], b: [3, 6, 5], why: 'one matrix of a for every batch entry of b' },
    { a: [3, 4, 6], b: [6, 5], why: 'one matrix of b (rank 2) for every batch entry of a' },
    { a: [2, 3, 4, 6], b: [3, 6, 5], why: "b's batch repeating along a's leading dim" },
    { a: [3, 4, 6], b: [2, 1, 6, 5], why: "b's [2, 1] against a's [3]" },
    { a: [2, 1, 4, 6], b: [1, 3, 6, 5], why: 'both sides broadcasting (the cpu kernel pairs entries modulo their batch sizes)' },
  ])('broadcasts batches as tfjs does: $why', async ({ a, b }) => {
    await expectNativeToMatchCpu(() => tf.matMul(random(a, 3), random(b, 4)));
  });

  it('keeps int32 products on the cpu kernel, so they stay int32', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), tf.tensor2d([1, 0, -2, 1, 3, 2], [3, 2], 'int32')),
    );
    expect(calls).not.toContain('matMul');
  });

  it('reads float32 tensors that still hold the Int32Array of a cast', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.matMul(tf.cast(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 'float32'), random([3, 4], 5)),
    );
    expect(calls).toContain('matMul');
  });
});

describe('_FusedMatMul on the native backend', () => {
  it.each(activations)('equals the cpu kernel with a bias and %s', async (activation) => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.fused.matMul({
        a: tf.mul(random([9, 17], 6), 3),
        b: random([17, 11], 7),
        bias: random([11], 8),
        activation,
        preluActivationWeights: random([11], 9),
        leakyreluAlpha: 0.13,
      }),
    );
    expect(calls).toContain('matMul');
  });

  it.each([
    { transposeA: true, transposeB: false },
    { transposeA: false, transposeB: true },
    { transposeA: true, transposeB: true },
  ])(
    'equals the cpu kernel transposed (transposeA $transposeA, transposeB $transposeB) and batched',
    async ({ transposeA, transposeB }) => {
      await expectNativeToMatchCpu(() =>
        tf.fused.matMul({
          a: random(transposeA ? [2, 8, 5] : [2, 5, 8], 10),
          b: random(transposeB ? [2, 3, 8] : [2, 8, 3], 11),
          transposeA,
          transposeB,
          bias: random([3], 12),
          activation: 'relu',
        }),
      );
    },
  );

  it('applies a scalar bias and a scalar PReLU weight in the addon', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.fused.matMul({
        a: random([6, 4], 13),
        b: random([4, 5], 14),
        bias: tf.scalar(0.3),
        activation: 'prelu',
        preluActivationWeights: tf.scalar(0.2),
      }),
    );
    expect(calls).toContain('matMul');
  });

  it('adds a full [m, n] bias and PReLU weight with the cpu kernels after the native product', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.fused.matMul({
        a: random([6, 4], 15),
        b: random([4, 5], 16),
        bias: random([6, 5], 17),
        activation: 'prelu',
        preluActivationWeights: random([6, 5], 18),
      }),
    );
    expect(calls).toContain('matMul');
  });

  it('activates without a bias', async () => {
    await expectNativeToMatchCpu(() => tf.fused.matMul({ a: random([6, 4], 19), b: random([4, 5], 20), activation: 'elu' }));
  });
});

const convCases = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 1, why: "3×3, 'same'" },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'valid', dilations: 1, why: "stride 2, 'valid'" },
  {
    x: [1, 8, 7, 2],
    filter: [2, 4, 2, 3],
    strides: [2, 1],
    pad: 'same',
    dilations: 1,
    why: "uneven strides and filter, odd 'same' padding",
  },
  { x: [2, 10, 11, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', dilations: 2, why: 'dilation 2' },
  { x: [2, 10, 11, 3], filter: [3, 2, 3, 5], strides: 1, pad: 'valid', dilations: [2, 3], why: "uneven dilation, 'valid'" },
  { x: [3, 5, 5, 7], filter: [1, 1, 7, 6], strides: 1, pad: 'valid', dilations: 1, why: '1×1 filter' },
  { x: [1, 3, 3, 2], filter: [5, 5, 2, 3], strides: 1, pad: 'same', dilations: 1, why: "a filter larger than the input, 'same'" },
  { x: [1, 1, 1, 1], filter: [1, 1, 1, 1], strides: 1, pad: 'valid', dilations: 1, why: 'size 1' },
  { x: [2, 6, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, dilations: 1, why: 'numeric padding' },
  {
    x: [2, 6, 7, 3],
    filter: [3, 3, 3, 2],
    strides: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
    dilations: 1,
    why: 'explicit padding',
  },
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 32], strides: 1, pad: 'same', dilations: 1, why: 'an MNIST first layer' },
] as const;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

describe('Conv2D on the native backend', () => {
  it.each(convCases)('equals the cpu kernel: $why', async ({ x, filter, strides, pad, dilations }) => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.conv2d(
        random([...x], 21) as tf.Tensor4D,
        random([...filter], 22) as tf.Tensor4D,
        strides as [number, number],
        pad as Pad,
        'NHWC',
        dilations as [number, number],
      ),
    );
    expect(calls).toContain('conv2d');
  });

  it('leaves NCHW to the cpu kernel', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.conv2d(random([2, 3, 6, 5], 23) as tf.Tensor4D, random([3, 3, 3, 4], 24) as tf.Tensor4D, 1, 'same', 'NCHW'),
    );
    expect(calls).not.toContain('conv2d');
  });
});

describe('FusedConv2D on the native backend', () => {
  it.each(activations)('equals the cpu kernel with a bias and %s', async (activation) => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.fused.conv2d({
        x: tf.mul(random([2, 7, 6, 3], 25), 3) as tf.Tensor4D,
        filter: random([3, 3, 3, 5], 26) as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: random([5], 27),
        activation,
        preluActivationWeights: random([5], 28),
        leakyreluAlpha: 0.07,
      }),
    );
    expect(calls).toContain('conv2d');
  });

  it('equals the cpu kernel strided and dilated, with a scalar bias', async () => {
    await expectNativeToMatchCpu(() =>
      tf.fused.conv2d({
        x: random([2, 9, 8, 2], 29) as tf.Tensor4D,
        filter: random([3, 3, 2, 4], 30) as tf.Tensor4D,
        strides: 1,
        pad: 'valid',
        dilations: 2,
        bias: tf.scalar(-0.2),
        activation: 'relu6',
      }),
    );
  });

  it('leaves NCHW to the cpu kernel', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.fused.conv2d({
        x: random([2, 3, 6, 5], 60) as tf.Tensor4D,
        filter: random([3, 3, 3, 4], 61) as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        dataFormat: 'NCHW',
        bias: random([4], 62),
        activation: 'relu',
      }),
    );
    expect(calls).not.toContain('conv2d');
  });

  it('applies PReLU weights of shape [h, w, c] with the cpu kernels after the native convolution', async () => {
    const calls = await expectNativeToMatchCpu(() =>
      tf.fused.conv2d({
        x: random([2, 5, 5, 2], 31) as tf.Tensor4D,
        filter: random([3, 3, 2, 3], 32) as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: random([3], 33),
        activation: 'prelu',
        preluActivationWeights: random([5, 5, 3], 34),
      }),
    );
    expect(calls).toContain('conv2d');
  });
});

describe('Conv2DBackpropInput and Conv2DBackpropFilter on the native backend', () => {
  const undilated = convCases.filter(({ dilations }) => dilations === 1);

  it.each(undilated)('give the cpu gradients of a convolution: $why', async ({ x, filter, strides, pad }) => {
    const calls = await expectNativeToMatchCpu(() => {
      const input = random([...x], 36) as tf.Tensor4D;
      const kernel = random([...filter], 37) as tf.Tensor4D;
      const output = tf.conv2d(input, kernel, strides as [number, number], pad as Pad);
      const upstream = random(output.shape, 38);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides as [number, number], pad as Pad), upstream)),
      )([input, kernel]);
      return [dx as tf.Tensor, dw as tf.Tensor];
    });
    expect(calls).toEqual(expect.arrayContaining(['conv2dBackpropInput', 'conv2dBackpropFilter']));
  });

  it('computes conv2dTranspose (Conv2DBackpropInput) as the cpu kernel does', async () => {
    await expectNativeToMatchCpu(() =>
      tf.conv2dTranspose(
        random([2, 4, 5, 3], 39) as tf.Tensor4D,
        random([3, 3, 6, 3], 40) as tf.Tensor4D,
        [2, 8, 10, 6],
        2,
        'same',
      ),
    );
  });
});

const poolCases = [
  { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid', why: "2×2 stride 2, 'valid'" },
  { x: [2, 7, 9, 3], filterSize: 3, strides: 2, pad: 'same', why: "3×3 stride 2, 'same' (padded windows)" },
  { x: [1, 6, 5, 4], filterSize: 3, strides: 1, pad: 'same', why: "3×3 stride 1, 'same'" },
  { x: [2, 7, 6, 2], filterSize: [2, 3], strides: [1, 2], pad: 'valid', why: 'uneven windows and strides' },
  { x: [1, 5, 5, 2], filterSize: 1, strides: 2, pad: 'valid', why: '1×1 stride 2' },
  // A 1×1 window with stride 1 returns its input: the cpu kernel does that without a copy, so the addon is not called.
  { x: [1, 1, 1, 1], filterSize: 1, strides: 1, pad: 'valid', why: 'size 1', onAddon: false },
  { x: [2, 6, 7, 3], filterSize: 3, strides: 2, pad: 1, why: 'numeric padding' },
] as const;

describe('DepthwiseConv2dNative and its gradients on the native backend', () => {
  const cases = [
    { why: '3×3 same, stride 1', x: [2, 9, 9, 6], filter: [3, 3, 6, 1], strides: 1, pad: 'same' },
    { why: '3×3 same, stride 2, even input', x: [3, 8, 8, 5], filter: [3, 3, 5, 1], strides: 2, pad: 'same' },
    { why: 'channel multiplier 3, valid', x: [2, 7, 6, 4], filter: [3, 2, 4, 3], strides: [1, 2], pad: 'valid' },
    {
      why: '5×5 explicit padding',
      x: [1, 11, 10, 3],
      filter: [5, 5, 3, 2],
      strides: 2,
      pad: [
        [0, 0],
        [2, 1],
        [1, 2],
        [0, 0],
      ],
    },
    { why: 'a 1×1 map', x: [4, 1, 1, 7], filter: [1, 1, 7, 1], strides: 1, pad: 'valid' },
  ] as const;

  it.each(cases)('equals the cpu kernel bit for bit: $why', async ({ x, filter, strides, pad }) => {
    await expectNativeToEqualCpu(() => {
      const input = random([...x], 140) as tf.Tensor4D;
      const weights = random([...filter], 141) as tf.Tensor4D;
      const conv = (value: tf.Tensor4D) => tf.depthwiseConv2d(input, value, strides as [number, number], pad as 'same' | 'valid');
      const upstream = random(conv(weights).shape, 142);
      return tf.grad((value: tf.Tensor) => tf.sum(tf.mul(conv(value as tf.Tensor4D), upstream)))(weights);
    }, ['DepthwiseConv2dNativeBackpropFilter']);
  });
});

describe('MaxPool and MaxPoolGrad on the native backend', () => {
  it.each(poolCases)('equal the cpu kernels: $why', async (poolCase) => {
    const { x, filterSize, strides, pad } = poolCase;
    const calls = await expectNativeToMatchCpu(() => {
      const input = random([...x], 41) as tf.Tensor4D;
      const pool = (value: tf.Tensor) =>
        tf.maxPool(value as tf.Tensor4D, filterSize as [number, number], strides as [number, number], pad as Pad);
      const upstream = random(pool(input).shape, 42);
      return [pool(input), tf.grad((value: tf.Tensor) => tf.sum(tf.mul(pool(value), upstream)))(input)];
    });
    const onAddon = 'onAddon' in poolCase ? poolCase.onAddon : true;
    expect(calls.includes('maxPool') && calls.includes('maxPoolBackprop')).toBe(onAddon);
  });
});

describe('AvgPool and AvgPoolGrad on the native backend', () => {
  it.each(poolCases)('equal the cpu kernels: $why', async (poolCase) => {
    const { x, filterSize, strides, pad } = poolCase;
    const calls = await expectNativeToMatchCpu(() => {
      const input = random([...x], 43) as tf.Tensor4D;
      const pool = (value: tf.Tensor) =>
        tf.avgPool(value as tf.Tensor4D, filterSize as [number, number], strides as [number, number], pad as Pad);
      const upstream = random(pool(input).shape, 44);
      return [pool(input), tf.grad((value: tf.Tensor) => tf.sum(tf.mul(pool(value), upstream)))(input)];
    });
    const onAddon = 'onAddon' in poolCase ? poolCase.onAddon : true;
    expect(calls.includes('avgPool') && calls.includes('avgPoolBackprop')).toBe(onAddon);
  });
});

/**
 * Computes on 'cpu' and on 'native' and expects the very same bits: the TypeScript kernels round as the
 * cpu's do. The cpu kernels named in `withoutCpu` are unregistered while 'native' computes, which proves
 * that it did not fall back on them.
 */
async function expectNativeToEqualCpu(compute: () => tf.Tensor | tf.Tensor[], withoutCpu: readonly string[] = []): Promise<void> {
  const cpu = await outputsOn('cpu', compute);
  const removed = withoutCpu.map((name) => tf.getKernel(name, 'cpu') as tf.KernelConfig);
  for (const name of withoutCpu) tf.unregisterKernel(name, 'cpu');
  let native: Awaited<ReturnType<typeof outputsOn>>;
  try {
    native = await outputsOn('native', compute);
  } finally {
    for (const config of removed) tf.registerKernel(config);
  }
  expect(native.shapes).toEqual(cpu.shapes);
  expect(native.dtypes).toEqual(cpu.dtypes);
  expect(native.values).toEqual(cpu.values);
}

const specialValues = () =>
  tf.tensor1d([0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3e-39, 1e30, -7]);

describe('the elementwise kernels in TypeScript', () => {
  const binary = [
    ['Add', tf.add],
    ['Sub', tf.sub],
    ['Multiply', tf.mul],
    ['RealDiv', tf.div],
    ['SquaredDifference', tf.squaredDifference],
    ['Maximum', tf.maximum],
    ['Minimum', tf.minimum],
  ] as const;

  it.each(binary)(
    '%s equals the cpu kernel bit for bit: equal shapes, a scalar, a bias or a per-row value either side',
    async (_name, op) => {
      await expectNativeToEqualCpu(
        () => [
          op(random([33, 17], 70), random([33, 17], 71)),
          op(random([33, 17], 72), tf.scalar(0.37)),
          op(tf.scalar(-1.3), random([33, 17], 73)),
          op(random([4, 5], 74), tf.tensor1d([2.5])),
          op(random([5], 75), random([1, 5], 76)),
          op(random([6, 4, 3, 7], 90), random([7], 91)),
          op(random([1, 3, 7], 92), random([6, 4, 3, 7], 93)),
          op(random([6, 4, 3, 7], 94), random([1, 1, 1, 7], 95)),
          op(random([33, 17], 96), random([33, 1], 97)),
          op(random([33, 1], 98), random([33, 17], 99)),
          op(random([2, 3, 4], 110), random([2, 3, 1], 111)),
          op(random([2, 1, 1], 112), random([2, 3, 4], 113)),
          op(random([5, 4], 114), random([1, 5, 1], 115)),
          op(specialValues(), tf.tensor1d([0, 0, -0, 2, 1, Number.POSITIVE_INFINITY, 3, 0, 1e10, Number.NaN])),
        ],
        [_name],
      );
    },
  );

  it.each(binary)(
    '%s equals the cpu kernel bit for bit on two-sided broadcasts, large threaded ones and empty ones',
    async (name, op) => {
      await expectNativeToEqualCpu(
        () => [
          op(random([3, 1], 77), random([1, 4], 78)),
          op(random([2, 3, 4], 79), random([4], 80)),
          op(random([37, 1, 19], 81), random([1, 23, 19], 82)),
          op(random([5, 1, 3, 1, 2], 83), random([1, 4, 1, 6, 2], 84)),
          op(random([48, 1, 160], 85), random([1, 48, 160], 86)),
          op(random([32, 16, 16, 8], 87), random([1, 1, 1, 8], 88)),
          op(random([0, 3], 89), random([1, 3], 90)),
        ],
        [name],
      );
    },
  );

  it.each([
    ['Greater', tf.greater],
    ['GreaterEqual', tf.greaterEqual],
    ['Less', tf.less],
    ['LessEqual', tf.lessEqual],
    ['Equal', tf.equal],
    ['NotEqual', tf.notEqual],
  ] as const)('%s equals the cpu kernel: a bool tensor, for every broadcast, NaN and signed zeros included', async (name, op) => {
    await expectNativeToEqualCpu(
      () => [
        op(random([33, 17], 150), random([33, 17], 151)),
        op(random([32, 16, 16, 8], 152), tf.scalar(0.1)),
        op(tf.scalar(-0.2), random([7, 5], 153)),
        op(random([37, 1, 19], 154), random([1, 23, 19], 155)),
        op(specialValues(), tf.tensor1d([0, 0, -0, 2, 1, Number.POSITIVE_INFINITY, 3, 0, 1e10, Number.NaN])),
        op(tf.tensor1d([1, 2, 2]), tf.tensor1d([2, 2, 1])),
      ],
      [name],
    );
    await expectNativeToEqualCpu(() => op(tf.tensor1d([7, -3, 12], 'int32'), tf.tensor1d([2, -3, -4], 'int32')));
  });

  it.each(binary)('%s leaves int32 to the cpu kernel', async (_name, op) => {
    await expectNativeToEqualCpu(() => op(tf.tensor1d([7, -3, 12], 'int32'), tf.tensor1d([2, 5, -4], 'int32')));
  });

  it('GatherV2 of rows equals the cpu kernel, float32 and int32, repeated and out-of-order indices, any row shape', async () => {
    const rows = (values: number[]) => tf.tensor1d(values, 'int32');
    await expectNativeToEqualCpu(
      () => [
        tf.gather(random([9, 4], 130), rows([8, 0, 3, 3, 1])),
        tf.gather(random([6, 2, 3], 131), rows([5, 2])),
        tf.gather(tf.tensor1d([4, 5, 6, 7], 'int32'), rows([3, 1, 1])),
        tf.gather(random([4, 3], 132), tf.tensor2d([0, 3, 2, 1], [2, 2], 'int32')),
        tf.gather(random([4, 3], 133), rows([])),
      ],
      ['GatherV2'],
    );
    // Other axes, and an index out of range (the cpu kernel's own error), are the cpu kernel's.
    await expectNativeToEqualCpu(() => tf.gather(random([4, 3], 134), rows([2, 0]), 1));
    await tf.setBackend('native');
    const x = random([4, 3], 135);
    const outside = rows([1, 4]);
    expect(() => tf.gather(x, outside)).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    tf.dispose([x, outside]);
  });

  it('Softmax and GatherV2 leave no tensor and no buffer behind on native', async () => {
    await tf.setBackend('native');
    const buffers = tf.memory().numDataBuffers;
    await expectNoLeaks(() => {
      const inputs = [random([37, 10], 140), random([9, 4], 141), tf.tensor1d([8, 0, 3], 'int32')] as const;
      const outputs = [tf.softmax(inputs[0]), tf.gather(inputs[1], inputs[2])];
      tf.dispose([...inputs, ...outputs]);
    });
    expect(tf.memory().numDataBuffers).toBe(buffers);
  });

  it('Softmax equals the cpu kernel bit for bit, over the last axis of any rank, NaN and infinities included', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.softmax(tf.mul(random([37, 10], 120), 30)),
        tf.softmax(random([2, 3, 7], 121)),
        tf.softmax(random([5], 122)),
        tf.softmax(
          tf.tensor2d([
            [1, Number.NaN, 3],
            [Number.NEGATIVE_INFINITY, 0, 1],
            [Number.POSITIVE_INFINITY, 0, 1],
            [-1e30, 1e30, 0],
          ]),
        ),
      ],
      ['Softmax'],
    );
  });

  it('Sqrt, Relu and Step equal the cpu kernels bit for bit, NaN and -0 included', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.sqrt(tf.abs(random([41, 3], 81))),
        tf.sqrt(specialValues()),
        tf.relu(random([41, 3], 82)),
        tf.relu(specialValues()),
        tf.step(specialValues()),
        tf.step(random([41, 3], 83), 0.25),
      ],
      ['Sqrt', 'Relu', 'Step'],
    );
    await expectNativeToEqualCpu(() => tf.relu(tf.tensor1d([-3, 0, 4], 'int32')));
  });

  it.each(binary)('%s runs in the addon for equal shapes and scalars, small, odd and multi-threaded sizes', async (name, op) => {
    const compute = () => [
      op(random([1], 100), random([1], 101)),
      op(random([7, 3], 102), random([7, 3], 103)),
      op(random([7, 3], 104), tf.scalar(0.37)),
      op(tf.scalar(-1.3), random([7, 3], 105)),
      op(random([1], 106), random([5, 3], 107)),
      op(random([71, 1001], 108), random([71, 1001], 109)),
      op(random([70_001], 110), tf.scalar(2.5)),
      op(tf.scalar(0.75), random([70_001], 111)),
    ];
    const { calls } = await onNative(async () => {
      await expectNativeToEqualCpu(compute, [name]);
    });
    // Add, Sub, Multiply and RealDiv take `binary` here; the others have only `binaryBroadcast`.
    const addonCall = ['Add', 'Sub', 'Multiply', 'RealDiv'].includes(name) ? 'binary' : 'binaryBroadcast';
    expect(calls.filter((call) => call === addonCall)).toHaveLength(8);
  });

  it('Sqrt, Square, Relu and Step run in the addon: size 1, odd and multi-threaded sizes', async () => {
    const compute = () =>
      [tf.tensor1d([-0.5]), random([7, 3], 120), random([71, 1001], 121), specialValues()].flatMap((x) => [
        tf.sqrt(tf.abs(x)),
        tf.sqrt(x),
        tf.square(x),
        tf.relu(x),
        tf.step(x),
        tf.step(x, 0.25),
      ]);
    const { calls } = await onNative(async () => {
      await expectNativeToEqualCpu(compute, ['Sqrt', 'Square', 'Relu', 'Step']);
    });
    expect(calls.filter((call) => call === 'unary')).toHaveLength(24);
    await expectNativeToEqualCpu(() => tf.square(tf.tensor1d([-3, 0, 4], 'int32')));
  });

  it('Mean over leading or trailing axes equals the cpu kernel bit for bit', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.mean(tf.mul(random([64, 7, 7, 5], 96), 100), [0, 1, 2]),
        tf.mean(random([9, 4], 97), 0, true),
        tf.mean(random([6, 5, 4], 98), [1, 2]),
        tf.mean(random([6, 5, 4], 99)),
        tf.mean(random([32, 16, 16, 16], 100), [0, 1, 2]),
      ],
      ['Mean'],
    );
  });

  it('Sum over leading axes equals the cpu kernel bit for bit', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.sum(tf.mul(random([128, 37], 84), 1000), 0),
        tf.sum(random([6, 5, 4], 85), [1, 0]),
        tf.sum(random([6, 5, 4], 86), 0, true),
        tf.sum(tf.reshape(specialValues(), [5, 2]), 0),
        tf.sum(random([6, 5, 4], 87), -1),
        tf.sum(random([6, 5, 4], 89)),
        tf.sum(tf.reshape(specialValues(), [2, 5]), 1, true),
        tf.sum(random([4096, 37], 90), 1),
        tf.sum(random([32, 16, 16, 16], 91), [0, 1, 2]),
      ],
      ['Sum'],
    );
  });

  it('Tile equals the cpu kernel', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.tile(random([1, 1, 1, 5], 100), [6, 3, 3, 1]),
        tf.tile(random([2, 3], 101), [2, 3]),
        tf.tile(random([2, 1, 3], 102), [1, 4, 1]),
        tf.tile(random([3], 103), [1]),
        tf.tile(random([1, 2], 104), [0, 2]),
      ],
      ['Tile'],
    );
    await expectNativeToEqualCpu(() => tf.tile(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), [2, 1]));
  });

  it('Sum and Mean over middle axes (global average pooling) equal the cpu kernels bit for bit', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.mean(random([6, 5, 4], 98), 1),
        tf.mean(random([16, 8, 8, 12], 99), [1, 2]),
        tf.sum(random([3, 4, 5, 6, 2], 100), [1, 2, 3], true),
        tf.mean(random([0, 3, 2], 101), 1),
      ],
      ['Sum', 'Mean'],
    );
  });

  it('FusedBatchNorm equals the cpu kernel bit for bit: per-channel or single moments, with or without offset and scale', async () => {
    const x = () => tf.mul(random([16, 9, 9, 12], 120), 5);
    const channel = (seed: number) => random([12], seed);
    const positive = (seed: number) => tf.add(tf.abs(random([12], seed)), 0.1);
    await expectNativeToEqualCpu(
      () => [
        tf.batchNorm(x(), channel(121), positive(122), channel(123), channel(124), 1e-5),
        tf.batchNorm(x(), channel(125), positive(126)),
        tf.batchNorm(x(), tf.tensor1d([0.3]), tf.tensor1d([2]), undefined, channel(127), 1e-3),
        tf.batchNorm(random([1200, 12], 128), channel(129), positive(130), tf.tensor1d([-1]), tf.tensor1d([0.5])),
        tf.batchNorm(random([2, 3, 3, 1], 131), tf.tensor1d([Number.NaN]), tf.tensor1d([0]), undefined, undefined, 0),
      ],
      ['FusedBatchNorm'],
    );
  });

  it('leaves reductions over axes that are not neighbours, and int32 ones, to the cpu kernels', async () => {
    await expectNativeToEqualCpu(() => [
      tf.mean(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0),
      tf.sum(random([6, 5, 4], 88), [0, 2]),
      tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0),
    ]);
  });
});

describe('the layout kernels (Slice, SplitV, Concat, PadV2)', () => {
  const int = (shape: number[], seed: number) => tf.cast(tf.mul(random(shape, seed), 100), 'int32');

  it('Slice equals the cpu kernel on every kind of box: contiguous, channels, middle axes, all partial, empty, int32', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.slice(random([4, 5, 6, 7], 200), [1, 0, 0, 0], [2, 5, 6, 7]),
        tf.slice(random([4, 5, 6, 7], 201), [0, 0, 0, 2], [4, 5, 6, 3]),
        tf.slice(random([4, 5, 6, 70], 202), [0, 0, 0, 3], [4, 5, 6, 66]),
        tf.slice(random([4, 5, 6, 7], 203), [0, 1, 2, 0], [4, 3, 2, 7]),
        tf.slice(random([4, 5, 6, 7], 204), [1, 2, 3, 4], [2, 2, 2, 2]),
        tf.slice(random([9], 205), [3], [4]),
        tf.slice(random([3, 4, 2, 3, 5], 206), [1, 1, 0, 1, 2], [2, 2, 2, 1, 3]),
        tf.slice(random([4, 5], 207), [1, 2], [0, 3]),
        tf.slice(int([4, 5, 6], 208), [0, 1, 1], [4, 3, 5]),
      ],
      ['Slice'],
    );
  });

  it('SplitV equals the cpu kernel along every axis, in equal and uneven pieces, float32 and int32', async () => {
    await expectNativeToEqualCpu(
      () => [
        ...tf.split(random([3, 4, 5, 6], 210), 2, 3),
        ...tf.split(random([3, 4, 5, 6], 211), [1, 3, 2], 3),
        ...tf.split(random([3, 4, 5, 6], 212), [3, 1], 1),
        ...tf.split(random([4, 4, 5, 6], 213), 4, 0),
        ...tf.split(random([3, 4, 5, 130], 214), [64, 66], -1),
        ...tf.split(int([6, 4], 215), [2, 2], 1),
      ],
      ['SplitV', 'Slice'],
    );
  });

  it('Concat equals the cpu kernel along every axis, of two or three inputs, float32 and int32', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.concat([random([3, 4, 5, 6], 220), random([3, 4, 5, 2], 221)], 3),
        tf.concat([random([3, 4, 5, 6], 222), random([3, 1, 5, 6], 223), random([3, 2, 5, 6], 224)], 1),
        tf.concat([random([2, 4, 5], 225), random([1, 4, 5], 226)], 0),
        tf.concat([random([2, 4, 70], 227), random([2, 4, 66], 228)], 2),
        tf.concat([int([2, 3], 229), int([2, 5], 230)], 1),
        tf.concat([random([2, 3], 231), random([2, 0], 232), random([2, 1], 233)], 1),
      ],
      ['Concat'],
    );
  });

  it('PadV2 equals the cpu kernel with zeros and with another constant, on any axes, float32 and int32', async () => {
    await expectNativeToEqualCpu(
      () => [
        tf.pad(random([2, 5, 5, 3], 240), [
          [0, 0],
          [1, 2],
          [2, 1],
          [0, 0],
        ]),
        tf.pad(random([2, 5, 5, 3], 241), [
          [0, 0],
          [0, 0],
          [0, 0],
          [3, 2],
        ]),
        tf.pad(
          random([4, 3], 242),
          [
            [1, 0],
            [0, 4],
          ],
          -2.5,
        ),
        tf.pad(
          int([3, 4], 243),
          [
            [2, 1],
            [1, 1],
          ],
          7,
        ),
      ],
      ['PadV2'],
    );
  });

  it('give the gradients of a concatenation, a split and a slice that the cpu kernels give', async () => {
    const fused = (a: tf.Tensor, b: tf.Tensor) => {
      const [own, deeper] = tf.split(tf.sigmoid(tf.concat([a, b], 3)), [3, 2], 3);
      return tf.sum(
        tf.mul(tf.slice(own as tf.Tensor, [0, 1, 0, 1], [2, 3, 4, 2]), tf.slice(deeper as tf.Tensor, [0, 0, 1, 0], [2, 3, 4, 2])),
      );
    };
    await expectNativeToEqualCpu(
      () => tf.grads(fused)([random([2, 4, 5, 3], 250), random([2, 4, 5, 2], 251)]),
      ['Slice', 'SplitV', 'Concat', 'PadV2'],
    );
  });
});

describe('gradients through the native kernels', () => {
  it('of a fused dense layer (bias, ReLU) equal those on cpu', async () => {
    await expectNativeToMatchCpu(() => {
      const upstream = random([16, 10], 45);
      const loss = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
        tf.sum(tf.mul(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' }), upstream));
      return tf.grads(loss)([tf.mul(random([16, 20], 46), 2), random([20, 10], 47), random([10], 48)]);
    });
  });

  it('of a transposed batched matMul equal those on cpu', async () => {
    await expectNativeToMatchCpu(() => {
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b, true, true)));
      return tf.grads(loss)([random([3, 7, 5], 49), random([3, 4, 7], 50)]);
    });
  });

  it('of a fused convolution (bias, ReLU) with max pooling equal those on cpu', async () => {
    await expectNativeToMatchCpu(() => {
      const loss = (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.maxPool(
              tf.fused.conv2d({
                x: x as tf.Tensor4D,
                filter: filter as tf.Tensor4D,
                strides: 1,
                pad: 'same',
                bias,
                activation: 'relu',
              }),
              2,
              2,
              'valid',
            ),
          ),
        );
      return tf.grads(loss)([random([2, 8, 8, 3], 51), random([3, 3, 3, 4], 52), random([4], 53)]);
    });
  });
});

describe('the native kernels', () => {
  it('leak neither tensors nor intermediate buffers, on the addon or on the cpu kernels they fall back to', async () => {
    await tf.setBackend('native');
    const backend = tf.backend() as NativeBackend;
    const everyKernel = () =>
      tf.tidy(() => {
        const x = random([2, 6, 6, 3], 54) as tf.Tensor4D;
        const filter = random([3, 3, 3, 4], 55) as tf.Tensor4D;
        const bias = random([4], 56);
        const dense = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.fused.matMul({
              a: a as tf.Tensor2D,
              b: b as tf.Tensor2D,
              bias: random([5, 4], 57),
              activation: 'prelu',
              preluActivationWeights: random([5, 4], 58),
            }),
          );
        const conv = (input: tf.Tensor, kernel: tf.Tensor) =>
          tf.sum(
            tf.avgPool(
              tf.maxPool(
                tf.fused.conv2d({
                  x: input as tf.Tensor4D,
                  filter: kernel as tf.Tensor4D,
                  strides: 1,
                  pad: 'same',
                  bias,
                  activation: 'prelu',
                  preluActivationWeights: random([6, 6, 4], 59),
                }),
                2,
                1,
                'same',
              ),
              2,
              2,
              'valid',
            ),
          );
        tf.grads(dense)([random([5, 3], 60), random([3, 4], 61)]);
        tf.grads(conv)([x, filter]);
        tf.matMul(random([2, 1, 3, 4], 62), random([1, 3, 4, 2], 63));
        // The broadcasting, comparison, reduction, batch-norm and depthwise kernels, each with its gradient.
        const channels = random([3], 64);
        const normed = (input: tf.Tensor) =>
          tf.sum(tf.batchNorm(input as tf.Tensor4D, channels, tf.abs(channels), channels, channels));
        tf.grads(normed)([x]);
        const depthwise = (input: tf.Tensor, kernel: tf.Tensor) =>
          tf.mean(tf.minimum(tf.relu(tf.depthwiseConv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, 2, 'same')), 6), [1, 2]);
        tf.grads((input: tf.Tensor, kernel: tf.Tensor) => tf.sum(depthwise(input, kernel)))([x, random([3, 3, 3, 2], 65)]);
        tf.squaredDifference(random([4, 1, 3], 66), random([1, 5, 3], 67));
        tf.greater(x, tf.scalar(0));
        // The layout kernels: views, run copies and pads, each with its gradient.
        const layout = (a: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.concat(tf.split(tf.slice(a, [0, 1, 0, 0], [2, 4, 6, 3]), [1, 2], 3).reverse(), 3),
              tf.slice(a, [0, 1, 0, 0], [2, 4, 6, 3]),
            ),
          );
        tf.grads(layout)([x]);
        tf.slice(random([4, 130], 68), [1, 0], [2, 130]);
      });
    everyKernel();
    const buffers = backend.numDataIds();
    await expectNoLeaks(everyKernel);
    expect(backend.numDataIds()).toBe(buffers);
  });
});
