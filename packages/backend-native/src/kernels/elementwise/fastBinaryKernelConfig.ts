import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import type { BinaryLoops } from './BinaryLoops.js';

/** Whether `small` (leading 1s aside) is the trailing part of `shape`, so it repeats along the leading axes. */
function repeatsAlongLeadingAxes(small: number[], shape: number[]): boolean {
  const first = small.findIndex((dim) => dim !== 1);
  const core = first === -1 ? [] : small.slice(first);
  return core.every((dim, i) => dim === shape[shape.length - core.length + i]);
}

/**
 * Whether `small`, right-aligned to `shape`, matches its leading axes and is 1 on the rest (at least one),
 * so it holds one value per row and repeats along the trailing axes: [B, 1] against [B, C].
 */
function repeatsAlongTrailingAxes(small: number[], shape: number[]): boolean {
  const padded = [...new Array<number>(shape.length - small.length).fill(1), ...small];
  let last = padded.length - 1;
  while (last >= 0 && padded[last] === 1) last--;
  if (last === padded.length - 1) return false;
  return padded.slice(0, last + 1).every((dim, i) => dim === shape[i]);
}

/**
 * A float32 binary kernel for the shapes a training step is made of: operands of one size, a tensor with
 * a scalar, a tensor with a bias-like operand repeated along its leading axes, and a tensor with a per-row
 * operand repeated along its trailing axes (softmax's [B, 1] max and sum), which the cpu kernel computes
 * index by index. Every value is the cpu kernel's, bit for bit (the same double-precision
 * operation rounded to float32); other dtypes and other broadcasting run the cpu kernel. With `nativeOp`
 * (an op code of the addon's `binary`), operands of one size and scalar operands run in the addon
 * (vectorised, threaded for large sizes, the same correctly rounded values); the loops do the rest.
 */
export function fastBinaryKernelConfig(kernelName: string, loops: BinaryLoops, nativeOp?: number): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as Record<'a' | 'b', TensorInfo>;
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return runCpuKernel(kernelName, args);
      const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const size = util.sizeFromShape(shape);
      const aSize = util.sizeFromShape(a.shape);
      const bSize = util.sizeFromShape(b.shape);
      const backend = args.backend as NativeBackend;
      const out = new Float32Array(size);
      if (nativeOp !== undefined && (aSize === size || aSize === 1) && (bSize === size || bSize === 1)) {
        backend.addon.binary(nativeOp, float32Values(backend, a), float32Values(backend, b), out);
      } else if (aSize === size && bSize === size) {
        loops.same(float32Values(backend, a), float32Values(backend, b), out);
      } else if (aSize === size && bSize === 1) {
        loops.scalarRight(float32Values(backend, a), float32Values(backend, b)[0] as number, out);
      } else if (aSize === 1 && bSize === size) {
        loops.scalarLeft(float32Values(backend, a)[0] as number, float32Values(backend, b), out);
      } else if (aSize === size && repeatsAlongLeadingAxes(b.shape, shape)) {
        loops.rowsRight(float32Values(backend, a), float32Values(backend, b), out);
      } else if (bSize === size && repeatsAlongLeadingAxes(a.shape, shape)) {
        loops.rowsLeft(float32Values(backend, a), float32Values(backend, b), out);
      } else if (aSize === size && repeatsAlongTrailingAxes(b.shape, shape)) {
        loops.columnsRight(float32Values(backend, a), float32Values(backend, b), out);
      } else if (bSize === size && repeatsAlongTrailingAxes(a.shape, shape)) {
        loops.columnsLeft(float32Values(backend, a), float32Values(backend, b), out);
      } else {
        return runCpuKernel(kernelName, args);
      }
      return backend.makeTensorInfo(shape, 'float32', out);
    },
  };
}
