import { broadcast_util, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { applyEpilogueOnCpuKernels } from './applyEpilogueOnCpuKernels.js';
import type { Epilogue } from './Epilogue.js';
import { float32Values } from './float32Values.js';
import { nativeEpilogue } from './nativeEpilogue.js';

/** One addon call: `batch` products starting at these offsets (in floats). */
interface MatMulCall {
  readonly batch: number;
  readonly aOffset: number;
  readonly bOffset: number;
  readonly outOffset: number;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/**
 * How the output's batch entries map onto the addon's strided batches. The cpu kernel pairs output
 * entry i with a[i mod batchA] and b[i mod batchB]: true broadcasting when one side's batch dims are
 * all 1 (stride 0) or are the trailing dims of the output's (a run of calls, one per repeat). Other
 * combinations, e.g. [2, 1] against [1, 3], return undefined and stay with the cpu kernel.
 */
function planCalls(
  outerA: number[],
  outerB: number[],
  outer: number[],
  aMatrix: number,
  bMatrix: number,
  outMatrix: number,
): MatMulCall[] | undefined {
  const batchA = util.sizeFromShape(outerA);
  const batchB = util.sizeFromShape(outerB);
  const batch = util.sizeFromShape(outer);
  const aBatchStride = batchA === 1 ? 0 : aMatrix;
  const bBatchStride = batchB === 1 ? 0 : bMatrix;
  if ((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1)) {
    return [{ batch, aOffset: 0, bOffset: 0, outOffset: 0, aBatchStride, bBatchStride }];
  }
  const aRepeats = batchA < batchB;
  const [small, smallBatch, bigBatch] = aRepeats ? [outerA, batchA, batchB] : [outerB, batchB, batchA];
  // Leading 1s aside, the repeating side's batch dims must be the output's last ones.
  const core = small.slice(small.findIndex((dim) => dim !== 1));
  const matchesTrailing = core.every((dim, i) => dim === outer[outer.length - core.length + i]);
  if (bigBatch !== batch || !matchesTrailing) return undefined;
  return Array.from({ length: batch / smallBatch }, (_, repeat) => ({
    batch: smallBatch,
    aOffset: aRepeats ? 0 : repeat * smallBatch * aMatrix,
    bOffset: aRepeats ? repeat * smallBatch * bMatrix : 0,
    outOffset: repeat * smallBatch * outMatrix,
    aBatchStride: aMatrix,
    bBatchStride: bMatrix,
  }));
}

/**
 * `activation(op(a) · op(b) + bias)` by the addon's GEMM with tfjs's batch broadcasting, or undefined
 * for what only the cpu kernel computes (non-float32 inputs, empty products, mismatched shapes, so that
 * its own error is thrown).
 */
export function nativeMatMul(
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  epilogue?: Epilogue,
): TensorInfo | undefined {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || aRank < 2 || bRank < 2) return undefined;
  const k = (transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1]) as number;
  const m = (transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2]) as number;
  const n = (transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1]) as number;
  if (k !== (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2]) || m * n * k === 0) return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const calls = planCalls(outerA, outerB, outer, m * k, k * n, m * n);
  if (calls === undefined || util.sizeFromShape(outer) === 0) return undefined;

  const fused = nativeEpilogue(backend, epilogue, n);
  const { bias, activation, alpha, preluAlpha } = fused ?? { bias: null, activation: 0, alpha: 0, preluAlpha: null };
  const aValues = float32Values(backend, a);
  const bValues = float32Values(backend, b);
  const out = backend.float32Output(util.sizeFromShape(outer) * m * n, true);
  for (const call of calls) {
    backend.addon.matMul(
      call.aOffset === 0 ? aValues : aValues.subarray(call.aOffset),
      call.bOffset === 0 ? bValues : bValues.subarray(call.bOffset),
      call.outOffset === 0 ? out : out.subarray(call.outOffset),
      call.batch,
      m,
      n,
      k,
      transposeA,
      transposeB,
      call.aBatchStride,
      call.bBatchStride,
      bias,
      activation,
      alpha,
      preluAlpha,
    );
  }
  const product = backend.makeTensorInfo([...outer, m, n], 'float32', out);
  return fused === undefined && epilogue !== undefined ? applyEpilogueOnCpuKernels(backend, product, epilogue) : product;
}
