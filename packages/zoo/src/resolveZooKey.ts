import { DistilleryError } from '@distillery/core';
import { cifarResnet } from './cifarResnet.js';
import { leNet5 } from './leNet5.js';
import { mobileNetV2 } from './mobileNetV2.js';
import { shuffleNetV2 } from './shuffleNetV2.js';
import { vggBn } from './vggBn.js';
import { wideResnet } from './wideResnet.js';
import type { ZooArchitecture } from './ZooArchitecture.js';
import { zooParameterCounts } from './zooParameterCounts.js';

const he2016 = 'He et al. 2016, Deep Residual Learning for Image Recognition (CIFAR nets, §4.2)';
const tian2020 = 'Tian et al. 2020, Contrastive Representation Distillation (RepDistiller)';

/** The families parsed from a pattern, as the error for an unknown key names them. */
const keyPatterns = ['resnet<6n+2>', 'resnet<6n+2>x4', 'wrn-<6n+4>-<k>'] as const;

/** The fixed keys (the families with a depth are parsed by `resolveZooKey`). */
const fixed: Record<string, Omit<ZooArchitecture, 'key'>> = {
  vgg8: {
    description: 'VGG-8 with batch norm, CIFAR form (one 3×3 conv per block, 64-128-256-512-512)',
    paper: `Simonyan & Zisserman 2015, in the CIFAR form of ${tian2020}`,
    build: (options) => vggBn({ ...options, blocks: [[64], [128], [256], [512], [512]] }),
  },
  vgg13: {
    description: 'VGG-13 with batch norm, CIFAR form (two 3×3 convs per block, 64-128-256-512-512)',
    paper: `Simonyan & Zisserman 2015, in the CIFAR form of ${tian2020}`,
    build: (options) =>
      vggBn({
        ...options,
        blocks: [
          [64, 64],
          [128, 128],
          [256, 256],
          [512, 512],
          [512, 512],
        ],
      }),
  },
  mobilenetv2: {
    description: 'MobileNetV2 for 32×32, width ×0.5, expansion 6 (the CRD/DKD student)',
    paper: `Sandler et al. 2018, MobileNetV2; the student of ${tian2020}`,
    build: (options) => mobileNetV2(options),
  },
  lenet5: {
    description: 'LeNet-5, ReLU and max-pooling (6-16 5×5 convs, 120-84 dense); inputs under 32×32 padded to it',
    paper: 'LeCun et al. 1998, Gradient-Based Learning Applied to Document Recognition, in its PyTorch form',
    build: (options) => leNet5(options),
  },
  shufflenetv2: {
    description: 'ShuffleNetV2 for 32×32, net size 1 (116-232-464, 1024; the CRD/DKD student)',
    paper: `Ma et al. 2018, ShuffleNet V2; the student of ${tian2020}`,
    build: (options) => shuffleNetV2(options),
  },
};

const resnetPattern = /^resnet(\d+)(x4)?$/;
const wrnPattern = /^wrn-(\d+)-(\d+)$/;

/**
 * The architecture a zoo key names: a fixed key (vgg8, vgg13, mobilenetv2, lenet5, shufflenetv2), `resnet<d>`
 * (d = 6n + 2, 16-16-32-64), `resnet<d>x4` (d = 6n + 2, 32-64-128-256) or `wrn-<d>-<k>` (d = 6n + 4, k ≥ 1).
 * A miss, or a depth the family cannot have, is one DistilleryError line naming what exists.
 */
export function resolveZooKey(key: string): ZooArchitecture {
  const entry = fixed[key];
  if (entry !== undefined) return { key, ...entry };
  const resnet = resnetPattern.exec(key);
  if (resnet !== null) {
    const depth = Number(resnet[1]);
    if (depth < 8 || (depth - 2) % 6 !== 0) {
      throw new DistilleryError(
        `zoo model ${key}: a CIFAR ResNet's depth is 6n + 2 (8, 14, 20, 32, 44, 56, 110, …), not ${depth}`,
      );
    }
    const wide = resnet[2] !== undefined;
    return {
      key,
      description: wide
        ? `ResNet-${depth}×4: ${(depth - 2) / 6} basic blocks per stage, 32-64-128-256 filters`
        : `ResNet-${depth}: ${(depth - 2) / 6} basic blocks per stage, 16-32-64 filters`,
      paper: wide ? `${he2016}; the ×4 nets of ${tian2020}` : he2016,
      build: (options) => cifarResnet({ ...options, depth, widths: wide ? [32, 64, 128, 256] : [16, 16, 32, 64] }),
    };
  }
  const wrn = wrnPattern.exec(key);
  if (wrn !== null) {
    const depth = Number(wrn[1]);
    const widenFactor = Number(wrn[2]);
    if (depth < 10 || (depth - 4) % 6 !== 0) {
      throw new DistilleryError(`zoo model ${key}: a wide ResNet's depth is 6n + 4 (10, 16, 22, 28, 40, …), not ${depth}`);
    }
    if (widenFactor < 1) throw new DistilleryError(`zoo model ${key}: the widen factor k is at least 1, not ${widenFactor}`);
    return {
      key,
      description: `WRN-${depth}-${widenFactor}: ${(depth - 4) / 6} pre-activation blocks per group, ${16 * widenFactor}-${32 * widenFactor}-${64 * widenFactor} filters`,
      paper: 'Zagoruyko & Komodakis 2016, Wide Residual Networks',
      build: (options) => wideResnet({ ...options, depth, widenFactor }),
    };
  }
  throw new DistilleryError(
    `unknown zoo model '${key}': the zoo has ${Object.keys(zooParameterCounts).join(', ')} (and any ${keyPatterns.join(', ')})`,
  );
}
