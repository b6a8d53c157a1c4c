import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NativeBackend } from './NativeBackend.js';
import { registerNativeBackend } from './registerNativeBackend.js';

const length = 65_536;
let backend: NativeBackend;

beforeAll(async () => {
  registerNativeBackend();
  await tf.setBackend('native');
  backend = tf.backend() as NativeBackend;
});

/** The buffer behind a tensor, as the kernels see it. */
const bufferOf = (tensor: tf.Tensor) => backend.data.get(tensor.dataId)?.values as Float32Array;

describe('the native backend’s output pool', () => {
  it('hands a disposed output’s buffer to the next output of that length', () => {
    const a = tf.fill([length], 2);
    const first = tf.mul(a, a);
    const buffer = bufferOf(first);
    first.dispose();
    const second = tf.add(a, a);
    expect(bufferOf(second)).toBe(buffer);
    expect(second.dataSync()[0]).toBe(4);
    tf.dispose([a, second]);
  });

  it('gives dataSync and data a copy, so values read out stay as they were after the tensor is gone', async () => {
    const a = tf.fill([length], 3);
    const product = tf.mul(a, a);
    const read = product.dataSync();
    const readAsync = await product.data();
    expect(read).not.toBe(bufferOf(product));
    product.dispose();
    const overwriting = tf.add(a, a);
    expect([read[0], readAsync[0], overwriting.dataSync()[0]]).toEqual([9, 9, 6]);
    tf.dispose([a, overwriting]);
  });

  it('keeps a buffer out of the pool while any tensor still holds it (a reshape shares it)', () => {
    const a = tf.fill([length], 5);
    const product = tf.mul(a, a);
    const reshaped = tf.reshape(product, [256, 256]);
    const buffer = bufferOf(product);
    product.dispose();
    const other = tf.sub(a, a);
    expect(bufferOf(other)).not.toBe(buffer);
    expect(reshaped.dataSync()[0]).toBe(25);
    reshaped.dispose();
    const after = tf.div(a, a);
    expect(bufferOf(after)).toBe(buffer);
    tf.dispose([a, other, after]);
  });

  it("keeps a buffer out of the pool while a view of it is alive (the cpu Slice kernel's subarray)", () => {
    const a = tf.fill([length], 5);
    const product = tf.mul(a, a);
    // A contiguous slice: the cpu kernel that 'native' shares returns a view of product's buffer.
    const half = tf.slice(product, [0], [length / 2]);
    product.dispose();
    const other = tf.add(a, a);
    expect(half.dataSync()[0]).toBe(25);
    expect(half.dataSync()[length / 2 - 1]).toBe(25);
    tf.dispose([a, half, other]);
  });

  it('zeroes a reused buffer for the kernels that accumulate into theirs', () => {
    const x = tf.fill([1, 128, 128, 4], 1) as tf.Tensor4D;
    const pooled = tf.avgPool(x, 2, 2, 'valid');
    const bytes = pooled.size;
    pooled.dispose();
    const again = tf.avgPool(x, 2, 2, 'valid');
    expect(again.size).toBe(bytes);
    expect(Array.from(again.dataSync().slice(0, 4))).toEqual([1, 1, 1, 1]);
    tf.dispose([x, again]);
  });

  it('leaks no tensor, and reuses instead of growing over repeated steps', () => {
    const a = tf.fill([length], 1.5);
    const before = tf.memory().numTensors;
    const step = () => tf.tidy(() => tf.sum(tf.mul(tf.add(a, a), a)));
    tf.dispose(step());
    const pooledAfterOne = backend.pooledByteCount;
    for (let i = 0; i < 5; i++) tf.dispose(step());
    expect(backend.pooledByteCount).toBe(pooledAfterOne);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});
