import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionBasedFusionOptions } from './AttentionBasedFusionOptions.js';
import type { FusionResult } from './FusionResult.js';
import { resizeNearest } from './resizeNearest.js';

/** PyTorch's BatchNorm2d default ε. */
const batchNormEpsilon = 1e-5;

/**
 * ReviewKD's attention-based fusion module (ABF; Chen, Liu, Zhao, Jia 2021, "Distilling Knowledge via Knowledge
 * Review", CVPR, section 3.2, figure 3(a); reference code dvlab-research/ReviewKD and mdistiller `ABF`), one per
 * student stage. On a stage feature x [B, H, W, C_in] and the deeper stage's residual y:
 *
 *   x' = BN₁(conv1×1(x))                                   C_in → mid, no bias
 *   fuse:  y' = nearest(y → H×W),  a = σ(conv1×1([x', y']) + b)   2·mid → 2 maps
 *          x' = x' · a₀ + y' · a₁
 *   output = BN₂(conv3×3(x'))                               mid → C_out, padding 1, no bias
 *   returns (output, residual = x')
 *
 * `nearest` is PyTorch's `F.interpolate(mode='nearest')` ({@link resizeNearest}). Batch norm is always in training
 * mode: each batch's own moments over N, H, W (biased variance, ε 1e-5, as `nn.BatchNorm2d` in `train()`), with a
 * learned γ (starts at 1) and β (starts at 0) per channel. The module keeps no running statistics: it only exists
 * while training (the student is evaluated without it), so the reference's running averages are never read.
 *
 * Initialisation as the reference: both conv kernels `kaiming_uniform_(a=1)`, U(±√(3 / fan_in)) with
 * fan_in = C_in (1×1) and 9·mid (3×3); the attention conv keeps PyTorch's default, kernel and bias
 * U(±1/√(2·mid)). Kernels are NHWC-ordered: [kh, kw, in, out]. The caller trains `variables()` and calls `dispose()`.
 */
export class AttentionBasedFusion {
  readonly fuse: boolean;
  readonly transformKernel: tf.Variable;
  readonly transformGamma: tf.Variable;
  readonly transformBeta: tf.Variable;
  readonly attentionKernel: tf.Variable | undefined;
  readonly attentionBias: tf.Variable | undefined;
  readonly outputKernel: tf.Variable;
  readonly outputGamma: tf.Variable;
  readonly outputBeta: tf.Variable;
  private readonly midChannels: number;

  constructor(options: AttentionBasedFusionOptions) {
    const { inChannels, midChannels, outChannels, seed } = options;
    for (const [name, value] of Object.entries({ inChannels, midChannels, outChannels })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new DistilleryError(`AttentionBasedFusion: ${name} must be a positive integer, got ${value}`);
      }
    }
    this.fuse = options.fuse;
    this.midChannels = midChannels;
    const made: tf.Variable[] = [];
    const variable = (local: string, initial: () => tf.Tensor): tf.Variable => {
      const created = tf.tidy(() => tf.variable(initial(), true, options.variableName(local)));
      made.push(created);
      return created;
    };
    const uniform = (shape: number[], bound: number, stream: string) => () =>
      tf.randomUniform(shape, -bound, bound, 'float32', `${seed}/${stream}`);
    try {
      this.transformKernel = variable(
        'conv1/kernel',
        uniform([1, 1, inChannels, midChannels], Math.sqrt(3 / inChannels), 'conv1'),
      );
      this.transformGamma = variable('bn1/gamma', () => tf.ones([midChannels]));
      this.transformBeta = variable('bn1/beta', () => tf.zeros([midChannels]));
      const attentionBound = 1 / Math.sqrt(2 * midChannels);
      this.attentionKernel = this.fuse
        ? variable('attention/kernel', uniform([1, 1, 2 * midChannels, 2], attentionBound, 'attention/kernel'))
        : undefined;
      this.attentionBias = this.fuse ? variable('attention/bias', uniform([2], attentionBound, 'attention/bias')) : undefined;
      this.outputKernel = variable(
        'conv2/kernel',
        uniform([3, 3, midChannels, outChannels], Math.sqrt(3 / (9 * midChannels)), 'conv2'),
      );
      this.outputGamma = variable('bn2/gamma', () => tf.ones([outChannels]));
      this.outputBeta = variable('bn2/beta', () => tf.zeros([outChannels]));
    } catch (error) {
      tf.dispose(made);
      throw error;
    }
  }

  /**
   * The module on one stage: `feature` [B, H, W, C_in] and, when it fuses, the deeper stage's `residual`
   * [B, h, w, mid] (resized to H×W). The caller owns the results.
   */
  apply(feature: tf.Tensor4D, residual?: tf.Tensor4D): FusionResult {
    if (this.fuse !== (residual !== undefined)) {
      throw new Error(`AttentionBasedFusion: ${this.fuse ? 'a fusing module needs' : 'the deepest module takes no'} residual`);
    }
    if (residual !== undefined && residual.shape[3] !== this.midChannels) {
      throw new Error(`AttentionBasedFusion: the residual has ${residual.shape[3]} channels, expected ${this.midChannels}`);
    }
    return tf.tidy(() => {
      const [, height, width] = feature.shape;
      let middle = batchNormTraining(
        tf.conv2d(feature, this.transformKernel as tf.Tensor4D, 1, 'valid'),
        this.transformGamma,
        this.transformBeta,
      );
      if (residual !== undefined) {
        const deeper = resizeNearest(residual, [height, width]);
        const logits = tf.conv2d(tf.concat([middle, deeper], 3), this.attentionKernel as tf.Tensor4D, 1, 'valid');
        const [ownWeight, deeperWeight] = tf.split(tf.sigmoid(tf.add(logits, this.attentionBias as tf.Tensor)), 2, 3);
        middle = tf.add(tf.mul(middle, ownWeight as tf.Tensor), tf.mul(deeper, deeperWeight as tf.Tensor));
      }
      // A 3×3 kernel at stride 1 with 'same' padding pads one pixel of zeros on every side, PyTorch's padding=1.
      const output = batchNormTraining(
        tf.conv2d(middle, this.outputKernel as tf.Tensor4D, 1, 'same'),
        this.outputGamma,
        this.outputBeta,
      );
      return { output, residual: middle };
    });
  }

  /** Trained with the student: conv1, bn1 γ β, (attention kernel and bias,) conv2, bn2 γ β, in that order. */
  variables(): tf.Variable[] {
    return [
      this.transformKernel,
      this.transformGamma,
      this.transformBeta,
      ...(this.attentionKernel && this.attentionBias ? [this.attentionKernel, this.attentionBias] : []),
      this.outputKernel,
      this.outputGamma,
      this.outputBeta,
    ];
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}

/** Batch norm on this batch's moments over N, H, W: (x − μ) / √(σ² + ε) · γ + β. */
function batchNormTraining(x: tf.Tensor4D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, batchNormEpsilon) as tf.Tensor4D;
}
