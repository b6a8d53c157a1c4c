import type { backend_util } from '@tensorflow/tfjs-core';

/** The addon's geometry arguments for NHWC pooling or its gradients, in its order. */
export function poolGeometry(info: backend_util.Conv2DInfo) {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ] as const;
}
