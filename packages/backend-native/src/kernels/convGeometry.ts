import type { backend_util } from '@tensorflow/tfjs-core';

/** The addon's geometry arguments for an NHWC convolution or its gradients, in its order. */
export function convGeometry(info: backend_util.Conv2DInfo) {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
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
