import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  type BackendValues,
  buffer,
  type DataId,
  type DataType,
  type TensorBuffer,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeAddonBinding } from './NativeAddonBinding.js';
import { pooledBytesLimit } from './pooledBytesLimit.js';

/** Outputs shorter than this are allocated fresh: reusing them saves nothing measurable. */
const minPooledLength = 16_384;
/** At most this many bytes wait in the pool; buffers beyond it are left to the garbage collector. */
const maxPooledBytes = pooledBytesLimit();

/**
 * The cpu backend with its hot kernels (GEMM, convolutions, pooling, elementwise) run by the C++ addon.
 * Tensors live in the cpu backend's TypedArrays, which the addon reads and writes in place, so every cpu
 * kernel also works here unchanged (see registerNativeBackend).
 *
 * The native kernels take their outputs from a pool of float32 buffers that disposed tensors return, as
 * PyTorch's caching allocator does: a fresh multi-megabyte Float32Array costs more than the kernel that
 * fills it (zeroing, page faults, and collections of the buffers left behind). A pooled buffer goes back to
 * the pool only when no tensor holds it any more, and values read out of the backend (`dataSync`, `data`)
 * are copies, so nothing outside the backend keeps a buffer that a later kernel overwrites.
 */
export class NativeBackend extends MathBackendCPU {
  private readonly pool = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  /**
   * Every buffer the pool handed out, with how many tensors' data hold it now. Keyed by the ArrayBuffer,
   * not the Float32Array: the cpu kernels that tfjs shares with this backend may hand out views of an
   * input's memory (Slice's `subarray` of a contiguous range), and such a view holds the buffer as much as
   * the tensor it came from. Weak, so a buffer a failed kernel took and never gave a tensor is collected.
   */
  private holders = new WeakMap<ArrayBufferLike, number>();

  constructor(readonly addon: NativeAddonBinding) {
    super();
    // The cpu backend's first write tells Node users to install tfjs-node; on this backend that advice is wrong.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /**
   * A float32 buffer of `length` for a kernel's output, from the pool when one of that length is free.
   * `zeroed`: the kernel accumulates into it, so it must start at 0; else every element will be written.
   */
  float32Output(length: number, zeroed: boolean): Float32Array {
    if (length < minPooledLength) return new Float32Array(length);
    const reused = this.pool.get(length)?.pop();
    if (reused === undefined) {
      const fresh = new Float32Array(length);
      this.holders.set(fresh.buffer, 0);
      return fresh;
    }
    this.pooledBytes -= reused.byteLength;
    if (zeroed) reused.fill(0);
    this.holders.set(reused.buffer, 0);
    return reused;
  }

  /** Bytes waiting in the pool, for tests and benchmarks. */
  get pooledByteCount(): number {
    return this.pooledBytes;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    this.hold(values, 1);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.hold(values, 1);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.hold(values, -1);
    return released;
  }

  /** A copy when the values are a pooled buffer, which a later kernel may overwrite once the tensor is gone. */
  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    return values instanceof Float32Array && this.holders.has(values.buffer) ? values.slice() : values;
  }

  /** Kernels read their inputs here while the tensors are alive: no copy. */
  override bufferSync<R extends import('@tensorflow/tfjs-core').Rank, D extends DataType>(t: TensorInfo): TensorBuffer<R, D> {
    const entry = this.data.get(t.dataId);
    if (t.dtype === 'string' || t.dtype === 'complex64' || entry === undefined) return super.bufferSync(t);
    return buffer(t.shape, t.dtype, entry.values as Float32Array) as unknown as TensorBuffer<R, D>;
  }

  override dispose(): void {
    this.pool.clear();
    this.holders = new WeakMap();
    this.pooledBytes = 0;
    super.dispose();
  }

  private hold(values: BackendValues, change: 1 | -1): void {
    if (!ArrayBuffer.isView(values)) return;
    const memory = values.buffer;
    const count = this.holders.get(memory);
    if (count === undefined) return;
    if (count + change > 0) {
      this.holders.set(memory, count + change);
      return;
    }
    this.holders.delete(memory);
    if (this.pooledBytes + memory.byteLength > maxPooledBytes) return;
    // The pool hands out whole buffers, whatever view of one was released last.
    const whole =
      values instanceof Float32Array && values.byteOffset === 0 && values.byteLength === memory.byteLength
        ? values
        : new Float32Array(memory);
    const free = this.pool.get(whole.length) ?? [];
    free.push(whole);
    this.pool.set(whole.length, free);
    this.pooledBytes += memory.byteLength;
  }
}
