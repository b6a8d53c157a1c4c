import { DistilleryError } from '@distillery/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { resolveZooKey } from './resolveZooKey.js';
import type { ZooBuildOptions } from './ZooBuildOptions.js';

/**
 * Builds the zoo model `key` (see `zooModels`; also any `resnet<6n+2>`, `resnet<6n+2>x4`, `wrn-<6n+4>-<k>`)
 * for NHWC images, with seeded initialisers, outputting logits. Layer names are a contract configs tap:
 * `<name>_stem`, `<name>_stage1` … `<name>_stage3` (and `<name>_stage4` for VGG and MobileNetV2) at each
 * stage's output, `<name>_pool` (global average pooling, [B, features]) and `<name>_logits`; each
 * builder's doc comment says exactly what each tap is (post-ReLU, or a residual sum). An unknown key, a
 * depth its family cannot have, or an input that is not an image is one DistilleryError line.
 */
export function buildZooModel(key: string, options: ZooBuildOptions): tfl.LayersModel {
  const architecture = resolveZooKey(key);
  const shape = options.inputShape;
  if (shape.length !== 3 || shape.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new DistilleryError(`zoo model ${key} takes images of shape [height, width, channels], not [${shape.join(', ')}]`);
  }
  if (!Number.isInteger(options.classes) || options.classes < 1) {
    throw new DistilleryError(`zoo model ${key}: classes must be a positive integer, not ${options.classes}`);
  }
  return architecture.build({
    inputShape: shape,
    classes: options.classes,
    name: options.name ?? key.replaceAll('-', '_'),
    seed: options.seed ?? 0,
  });
}
