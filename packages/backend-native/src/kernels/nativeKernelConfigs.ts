import type { KernelConfig } from '@tensorflow/tfjs-core';
import { avgPoolConfig } from './avgPoolConfig.js';
import { avgPoolGradConfig } from './avgPoolGradConfig.js';
import { batchMatMulConfig } from './batchMatMulConfig.js';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilterConfig.js';
import { conv2DBackpropInputConfig } from './conv2DBackpropInputConfig.js';
import { conv2DConfig } from './conv2DConfig.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwiseConv2dNativeBackpropFilterConfig.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwiseConv2dNativeBackpropInputConfig.js';
import { depthwiseConv2dNativeConfig } from './depthwiseConv2dNativeConfig.js';
import { addConfig } from './elementwise/addConfig.js';
import { equalConfig } from './elementwise/equalConfig.js';
import { fusedBatchNormConfig } from './elementwise/fusedBatchNormConfig.js';
import { greaterConfig } from './elementwise/greaterConfig.js';
import { greaterEqualConfig } from './elementwise/greaterEqualConfig.js';
import { lessConfig } from './elementwise/lessConfig.js';
import { lessEqualConfig } from './elementwise/lessEqualConfig.js';
import { maximumConfig } from './elementwise/maximumConfig.js';
import { meanConfig } from './elementwise/meanConfig.js';
import { minimumConfig } from './elementwise/minimumConfig.js';
import { multiplyConfig } from './elementwise/multiplyConfig.js';
import { notEqualConfig } from './elementwise/notEqualConfig.js';
import { realDivConfig } from './elementwise/realDivConfig.js';
import { reluConfig } from './elementwise/reluConfig.js';
import { softmaxConfig } from './elementwise/softmaxConfig.js';
import { sqrtConfig } from './elementwise/sqrtConfig.js';
import { squareConfig } from './elementwise/squareConfig.js';
import { squaredDifferenceConfig } from './elementwise/squaredDifferenceConfig.js';
import { stepConfig } from './elementwise/stepConfig.js';
import { subConfig } from './elementwise/subConfig.js';
import { sumConfig } from './elementwise/sumConfig.js';
import { tileConfig } from './elementwise/tileConfig.js';
import { fusedAdamConfig } from './fusedAdamConfig.js';
import { fusedConv2DConfig } from './fusedConv2DConfig.js';
import { fusedMatMulConfig } from './fusedMatMulConfig.js';
import { gatherV2Config } from './gatherV2Config.js';
import { concatConfig } from './layout/concatConfig.js';
import { padV2Config } from './layout/padV2Config.js';
import { sliceConfig } from './layout/sliceConfig.js';
import { splitVConfig } from './layout/splitVConfig.js';
import { maxPoolConfig } from './maxPoolConfig.js';
import { maxPoolGradConfig } from './maxPoolGradConfig.js';
import { batchNormTrainingConfig } from './normalization/batchNormTrainingConfig.js';
import { batchNormTrainingGradConfig } from './normalization/batchNormTrainingGradConfig.js';

/**
 * The kernels the 'native' backend does not take from the cpu backend: the addon's (products,
 * convolutions, pooling) and, in plain TypeScript, the elementwise kernels that an optimizer step is
 * made of, in tight loops or in the addon's vectorised elementwise functions, the layout kernels (slice,
 * split, concat, pad) as run copies, and Distillery's fused Adam step. Every other kernel of 'native' is the cpu backend's own.
 */
export const nativeKernelConfigs: readonly KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  realDivConfig,
  squaredDifferenceConfig,
  maximumConfig,
  minimumConfig,
  greaterConfig,
  greaterEqualConfig,
  lessConfig,
  lessEqualConfig,
  equalConfig,
  notEqualConfig,
  sqrtConfig,
  squareConfig,
  reluConfig,
  stepConfig,
  sumConfig,
  fusedBatchNormConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  meanConfig,
  tileConfig,
  softmaxConfig,
  gatherV2Config,
  sliceConfig,
  splitVConfig,
  concatConfig,
  padV2Config,
  fusedAdamConfig,
];
