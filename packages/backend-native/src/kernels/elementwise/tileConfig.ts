import { type KernelConfig, type TensorInfo, Tile, type TileAttrs, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';

/**
 * Tile (the gradient of a mean or a broadcast, e.g. in batch normalisation) as block copies, one axis at
 * a time from the innermost: along an axis, every block of the axes inside it is repeated in place. The
 * cpu kernel maps every output index back to its input index instead; the values are the same.
 */
export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x } = args.inputs as Record<'x', TensorInfo>;
    const { reps } = args.attrs as unknown as TileAttrs;
    if (x.dtype !== 'float32' || reps.length !== x.shape.length) return runCpuKernel(Tile, args);
    const backend = args.backend as NativeBackend;
    let values = float32Values(backend, x);
    const shape = [...x.shape];
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const times = reps[axis] as number;
      if (times === 1) continue;
      const block = util.sizeFromShape(shape.slice(axis));
      const outer = util.sizeFromShape(shape.slice(0, axis));
      const tiled = backend.float32Output(outer * block * times, false);
      for (let o = 0; o < outer; o++) {
        const source = values.subarray(o * block, (o + 1) * block);
        for (let t = 0; t < times; t++) tiled.set(source, (o * times + t) * block);
      }
      values = tiled;
      shape[axis] = (shape[axis] as number) * times;
    }
    // A tile that repeats nothing still gets its own buffer, as from the cpu kernel.
    return backend.makeTensorInfo(shape, 'float32', values === backend.data.get(x.dataId).values ? values.slice() : values);
  },
};
