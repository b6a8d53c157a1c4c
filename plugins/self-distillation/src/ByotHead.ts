import * as tf from '@tensorflow/tfjs-core';
import type { ByotHeadOptions } from './ByotHeadOptions.js';
import type { ByotOutputs } from './ByotOutputs.js';
import { numericSeed } from './numericSeed.js';

/** PyTorch's BatchNorm2d ε. */
const epsilon = 1e-5;

/**
 * A shallow classifier of "Be Your Own Teacher" (Zhang et al. 2019, section 3.1; the reference code's
 * `branchBottleNeck` followed by `avgpool` and `middle_fc`), attached to a stage map x [B, H, W, C]:
 *
 *   h = ReLU(BN(conv1×1(x; C → M)))                    M = max(1, ⌊D / 4⌋)
 *   h = ReLU(BN(conv k×k, stride k, no padding(h; M → M)))
 *   h = ReLU(BN(conv1×1(h; M → D)))
 *   f = mean over H×W of h   [B, D]                      the head's feature, compared with the deepest feature
 *   z = f·W + b              [B, classes]               the head's logits
 *
 * BN normalises with the batch's own statistics (PyTorch's BatchNorm2d in training mode: biased variance, ε = 1e-5)
 * and keeps no running averages: a head only ever runs inside the training loss, never in inference. The convolutions
 * have no bias: the reference's are followed by BN in training mode, which subtracts any per-channel constant, so
 * they would get no gradient and change nothing.
 *
 * Initialisation as the reference's model: convolution kernels He-normal with fan-out, N(0, 2 / (k_h·k_w·C_out)),
 * BN γ = 1 and β = 0, and the dense layer PyTorch's default for `nn.Linear`, W and b ~ U(±1/√D).
 * The caller trains `variables()` with the student and calls `dispose()`.
 */
export class ByotHead {
  readonly stride: number;
  private readonly conv1: tf.Variable;
  private readonly gamma1: tf.Variable;
  private readonly beta1: tf.Variable;
  private readonly conv2: tf.Variable;
  private readonly gamma2: tf.Variable;
  private readonly beta2: tf.Variable;
  private readonly conv3: tf.Variable;
  private readonly gamma3: tf.Variable;
  private readonly beta3: tf.Variable;
  private readonly fcKernel: tf.Variable;
  private readonly fcBias: tf.Variable;

  constructor(options: ByotHeadOptions) {
    const { channels, stride, featureWidth, classes, seed } = options;
    const middle = Math.max(1, Math.floor(featureWidth / 4));
    this.stride = stride;
    const created: tf.Variable[] = [];
    const variable = (local: string, make: () => tf.Tensor): tf.Variable => {
      const result = tf.tidy(() => tf.variable(make(), true, options.variableName(local)));
      created.push(result);
      return result;
    };
    const heNormal = (local: string, shape: [number, number, number, number]) =>
      variable(local, () => {
        const fanOut = shape[0] * shape[1] * shape[3];
        return tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', numericSeed(`${seed}/${local}`));
      });
    const linearBound = 1 / Math.sqrt(featureWidth);
    try {
      this.conv1 = heNormal('conv1/kernel', [1, 1, channels, middle]);
      this.gamma1 = variable('bn1/gamma', () => tf.ones([middle]));
      this.beta1 = variable('bn1/beta', () => tf.zeros([middle]));
      this.conv2 = heNormal('conv2/kernel', [stride, stride, middle, middle]);
      this.gamma2 = variable('bn2/gamma', () => tf.ones([middle]));
      this.beta2 = variable('bn2/beta', () => tf.zeros([middle]));
      this.conv3 = heNormal('conv3/kernel', [1, 1, middle, featureWidth]);
      this.gamma3 = variable('bn3/gamma', () => tf.ones([featureWidth]));
      this.beta3 = variable('bn3/beta', () => tf.zeros([featureWidth]));
      this.fcKernel = variable('fc/kernel', () =>
        tf.randomUniform([featureWidth, classes], -linearBound, linearBound, 'float32', `${seed}/fc/kernel`),
      );
      this.fcBias = variable('fc/bias', () =>
        tf.randomUniform([classes], -linearBound, linearBound, 'float32', `${seed}/fc/bias`),
      );
    } catch (error) {
      // A name refused halfway would otherwise strand the variables already made.
      for (const made of created) made.dispose();
      throw error;
    }
  }

  /** The head's feature and logits for a stage map [B, H, W, C] with H, W ≥ k; the caller owns the results. */
  apply(map: tf.Tensor4D): ByotOutputs {
    return tf.tidy(() => {
      const block = (input: tf.Tensor4D, kernel: tf.Variable, stride: number, gamma: tf.Variable, beta: tf.Variable) =>
        tf.relu(batchNormInTraining(tf.conv2d(input, kernel as tf.Tensor4D, stride, 'valid'), gamma, beta)) as tf.Tensor4D;
      let hidden = block(map, this.conv1, 1, this.gamma1, this.beta1);
      hidden = block(hidden, this.conv2, this.stride, this.gamma2, this.beta2);
      hidden = block(hidden, this.conv3, 1, this.gamma3, this.beta3);
      const feature = tf.mean(hidden, [1, 2]) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(feature, this.fcKernel as tf.Tensor2D), this.fcBias) as tf.Tensor2D;
      return { feature, logits };
    });
  }

  /** In creation order: conv1, bn1 γ, β, conv2, bn2 γ, β, conv3, bn3 γ, β, then the dense kernel and bias. */
  variables(): tf.Variable[] {
    return [
      this.conv1,
      this.gamma1,
      this.beta1,
      this.conv2,
      this.gamma2,
      this.beta2,
      this.conv3,
      this.gamma3,
      this.beta3,
      this.fcKernel,
      this.fcBias,
    ];
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

/** γ · (x − μ) / √(σ² + ε) + β with μ, σ² (biased) per channel over the batch and the map, as BatchNorm2d in training. */
function batchNormInTraining(x: tf.Tensor4D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gamma), beta) as tf.Tensor4D;
}
