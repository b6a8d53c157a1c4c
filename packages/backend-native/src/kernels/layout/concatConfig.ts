import { backend_util, Concat, type ConcatAttrs, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { copyBox } from './copyBox.js';
import { layoutOutput } from './layoutOutput.js';
import { layoutValues } from './layoutValues.js';

/**
 * Concat as one box copy per input into a pooled output: ReviewKD's fusion input, DenseNet-like joins, and the
 * gradient of every split. The cpu kernel reshapes each input to 2-D first and copies element by element; the
 * values are the same.
 */
export const concatConfig: KernelConfig = {
  kernelName: Concat,
  backendName: 'native',
  kernelFunc: (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const { axis } = args.attrs as unknown as ConcatAttrs;
    const backend = args.backend as NativeBackend;
    const first = inputs[0];
    const values = inputs.map((input) => layoutValues(backend, input));
    if (
      first === undefined ||
      inputs.length < 2 ||
      inputs.some((input, i) => input.dtype !== first.dtype || values[i] === undefined)
    ) {
      return runCpuKernel(Concat, args);
    }
    const joinAxis = util.parseAxisParam(axis, first.shape)[0] as number;
    backend_util.assertParamsConsistent(
      inputs.map((input) => input.shape),
      joinAxis,
    );
    const outShape = backend_util.computeOutShape(
      inputs.map((input) => input.shape),
      joinAxis,
    );
    const out = layoutOutput(backend, first.dtype, util.sizeFromShape(outShape), false);
    const origin = new Array<number>(outShape.length).fill(0);
    const at = origin.slice();
    inputs.forEach((input, i) => {
      copyBox(values[i] as Float32Array | Int32Array, input.shape, origin, out, outShape, at, input.shape);
      at[joinAxis] = (at[joinAxis] as number) + (input.shape[joinAxis] as number);
    });
    return backend.makeTensorInfo(outShape, first.dtype, out);
  },
};
