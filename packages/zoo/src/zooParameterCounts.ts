/**
 * The zoo's listed keys, with the trainable parameters of each model apart from its classifier
 * (`backbone`) and the width of the pooled features the classifier reads (`features`): with C classes a
 * model has backbone + (features + 1) · C. Counted on PyTorch equivalents of the same architectures
 * (torch 1.13, `sum(p.numel() for p in model.parameters() if p.requires_grad)`); batch norm's moving
 * statistics are buffers there and non-trainable weights here, so neither counts them. All at the zoo's reference
 * input, 32×32×3: LeNet-5 alone has a count that depends on it (its first dense layer reads the flattened maps).
 */
export const zooParameterCounts = {
  resnet8: { backbone: 77_392, features: 64 },
  resnet14: { backbone: 174_608, features: 64 },
  resnet20: { backbone: 271_824, features: 64 },
  resnet32: { backbone: 466_256, features: 64 },
  resnet44: { backbone: 660_688, features: 64 },
  resnet56: { backbone: 855_120, features: 64 },
  resnet110: { backbone: 1_730_064, features: 64 },
  resnet8x4: { backbone: 1_207_840, features: 256 },
  resnet32x4: { backbone: 7_408_160, features: 256 },
  'wrn-16-1': { backbone: 174_416, features: 64 },
  'wrn-16-2': { backbone: 690_384, features: 128 },
  'wrn-40-1': { backbone: 563_280, features: 64 },
  'wrn-40-2': { backbone: 2_242_256, features: 128 },
  vgg8: { backbone: 3_913_728, features: 512 },
  vgg13: { backbone: 9_410_880, features: 512 },
  mobilenetv2: { backbone: 684_736, features: 1280 },
  shufflenetv2: { backbone: 1_253_028, features: 1024 },
  lenet5: { backbone: 61_156, features: 84 },
} as const satisfies Record<string, { backbone: number; features: number }>;
