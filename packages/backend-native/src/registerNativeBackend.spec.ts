import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nativeKernelConfigs } from './kernels/nativeKernelConfigs.js';
import { NativeBackend } from './NativeBackend.js';
import { nativeAddon } from './nativeAddon.js';
import { nativeBackendAvailable } from './nativeBackendAvailable.js';
import { nativeBackendError } from './nativeBackendError.js';
import { registerNativeBackend } from './registerNativeBackend.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('registerNativeBackend', () => {
  it('finds the addon that the install step built', () => {
    // Fails, rather than skips, where node-gyp could not build it.
    expect(nativeBackendError).toBeUndefined();
    expect(nativeBackendAvailable).toBe(true);
    expect(typeof nativeAddon.binding?.matMul).toBe('function');
  });

  it("registers 'native' once, however often it is called", () => {
    expect(registerNativeBackend()).toBe(true);
    const factory = tf.findBackendFactory('native');
    expect(factory).not.toBeNull();
    expect(registerNativeBackend()).toBe(true);
    expect(tf.findBackendFactory('native')).toBe(factory);
  });

  it('ranks native above wasm (2) and cpu (1) and below tfjs-node (3)', () => {
    registerNativeBackend();
    const { priority } = tf.engine().registryFactory.native as { priority: number };
    expect(priority).toBeGreaterThan(2);
    expect(priority).toBeLessThan(3);
  });

  it("gives 'native' every kernel of 'cpu', the hot ones its own (the addon's, and TypeScript loops) and the rest the cpu's", () => {
    registerNativeBackend();
    const native = new Set(nativeKernelConfigs.map((config) => config.kernelName));
    const cpuKernels = tf.getKernelsForBackend('cpu');
    expect(cpuKernels.length).toBeGreaterThan(150);
    for (const config of cpuKernels) {
      const kernel = tf.getKernel(config.kernelName, 'native');
      expect(kernel, config.kernelName).toBeDefined();
      if (native.has(config.kernelName)) expect(kernel?.kernelFunc, config.kernelName).not.toBe(config.kernelFunc);
      else expect(kernel?.kernelFunc, config.kernelName).toBe(config.kernelFunc);
    }
    expect([...native].sort()).toEqual(
      [
        'AvgPool',
        'AvgPoolGrad',
        'BatchMatMul',
        'Conv2D',
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'DepthwiseConv2dNative',
        'DepthwiseConv2dNativeBackpropInput',
        'DepthwiseConv2dNativeBackpropFilter',
        'FusedConv2D',
        'MaxPool',
        'MaxPoolGrad',
        '_FusedMatMul',
        'Add',
        'Sub',
        'Multiply',
        'RealDiv',
        'SquaredDifference',
        'Maximum',
        'Minimum',
        'Greater',
        'GreaterEqual',
        'Less',
        'LessEqual',
        'Equal',
        'NotEqual',
        'Sqrt',
        'Square',
        'Relu',
        'Step',
        'Sum',
        'Mean',
        'FusedBatchNorm',
        'Tile',
        'Softmax',
        'GatherV2',
        'Slice',
        'SplitV',
        'Concat',
        'PadV2',
        // Not a cpu kernel: Distillery's fused optimizer step (see @distillery/core's FusedAdam).
        'DistilleryFusedAdam',
        // Nor these: batch normalisation in training and its gradient (see @distillery/core's BatchNormTraining).
        'DistilleryBatchNormTraining',
        'DistilleryBatchNormTrainingGrad',
      ].sort(),
    );
  });

  it('makes a NativeBackend whose tensors are the TypedArrays the addon writes', async () => {
    registerNativeBackend();
    await tf.setBackend('native');
    const backend = tf.backend();
    expect(backend).toBeInstanceOf(NativeBackend);
    const product = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]));
    // [1 2; 3 4] · [5 6; 7 8] = [1·5+2·7, 1·6+2·8; 3·5+4·7, 3·6+4·8] = [19 22; 43 50]
    const values = (backend as NativeBackend).data.get(product.dataId).values;
    expect(values).toBeInstanceOf(Float32Array);
    expect(Array.from(values as Float32Array)).toEqual([19, 22, 43, 50]);
    product.dispose();
  });
});
