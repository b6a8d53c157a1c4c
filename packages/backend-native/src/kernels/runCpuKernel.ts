import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs the cpu backend's kernel on the native backend: the cases the addon does not cover (NCHW, int32
 * inputs, broadcasting the addon cannot express) are computed exactly as on 'cpu', errors included.
 */
export function runCpuKernel(kernelName: string, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, 'cpu');
  if (kernel === undefined) throw new Error(`native backend: the cpu backend has no ${kernelName} kernel to fall back on`);
  return kernel.kernelFunc(args) as tf.TensorInfo;
}
