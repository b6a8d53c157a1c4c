import '@tensorflow/tfjs-backend-cpu';
import { adamUpdate, FusedAdam, type FusedAdamAttrs } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBackend } from '../NativeBackend.js';
import { nativeBackendError } from '../nativeBackendError.js';
import { registerNativeBackend } from '../registerNativeBackend.js';

beforeAll(async () => {
  expect(nativeBackendError).toBeUndefined();
  registerNativeBackend();
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

const attrs: FusedAdamAttrs = {
  beta1: 0.9,
  beta2: 0.999,
  biasCorrection1: 1 - 0.9 ** 4,
  biasCorrection2: 1 - 0.999 ** 4,
  epsilon: 1e-7,
  learningRate: 3e-3,
};

/** θ, m, v and g of `size` values, the same on every backend (a fixed sine pattern). */
function state(size: number): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor] {
  const values = (phase: number, scale: number) =>
    Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + phase) * scale);
  return [
    tf.tensor1d(values(0, 1)),
    tf.tensor1d(values(1, 0.05)),
    tf.tensor1d(values(2, 0.01).map((x) => x * x)),
    tf.tensor1d(values(3, 2)),
  ];
}

async function updatedOn(backend: string, size: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const inputs = state(size);
  const outputs = adamUpdate(...inputs, attrs);
  const values = await Promise.all(outputs.map((output) => output.data() as Promise<Float32Array>));
  tf.dispose([...inputs, ...outputs]);
  return values;
}

describe('the native fused Adam kernel', () => {
  it.each([1, 5, 100_003])('gives the cpu backend’s composed Adam step bit for bit on %i values', async (size) => {
    const [native, cpu] = [await updatedOn('native', size), await updatedOn('cpu', size)];
    expect(tf.getKernel(FusedAdam, 'native')).toBeDefined();
    expect(native.map((values) => Array.from(values))).toEqual(cpu.map((values) => Array.from(values)));
  });

  it('writes an unshared moment in place, copies a shared one, and always gives the variable a new buffer', async () => {
    await tf.setBackend('native');
    const backend = tf.backend() as NativeBackend;
    const [theta, m, v, g] = state(8);
    const snapshotOfV = tf.clone(v);
    const vBefore = Array.from(v.dataSync());
    const thetaBuffer = theta.dataSync();
    const [theta2, m2, v2] = adamUpdate(theta, m, v, g, attrs);
    expect(m2.dataId).toBe(m.dataId);
    expect(backend.refCount(m.dataId)).toBe(2);
    expect(v2.dataId).not.toBe(v.dataId);
    expect(Array.from(snapshotOfV.dataSync())).toEqual(vBefore);
    expect(theta2.dataId).not.toBe(theta.dataId);
    expect(theta.dataSync()).toBe(thetaBuffer);
    tf.dispose([theta, m, v, g, snapshotOfV, theta2, m2, v2]);
  });

  it('leaks no tensor and no buffer', async () => {
    await tf.setBackend('native');
    const buffers = tf.memory().numDataBuffers;
    await expectNoLeaks(() => {
      const inputs = state(1000);
      tf.dispose([...inputs, ...adamUpdate(...inputs, attrs)]);
    });
    expect(tf.memory().numDataBuffers).toBe(buffers);
  });
});
