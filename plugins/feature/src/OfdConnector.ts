import { DistilleryError, type SymbolicShape } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { OfdConnectorOptions } from './OfdConnectorOptions.js';

/**
 * OFD's connector (Heo et al. 2019, "A Comprehensive Overhaul of Feature Distillation", §3.4; reference code
 * clovaai/overhaul-distillation `build_feature_connector`): a 1×1 convolution without bias from the student's
 * channels to the teacher's, then a batch norm, which maps the student's pre-ReLU feature into the teacher's space.
 *
 *   NHWC maps [B, H, W, Cs] → [B, H, W, Ct]:  c(f) = γ ⊙ (y − μ_B) / √(σ²_B + ε) + β,   y = conv1×1(f; K [1, 1, Cs, Ct])
 *   vectors   [B, Ds] → [B, Dt]:              the same with y = f·K [Ds, Dt]
 *
 * μ_B and σ²_B are the batch's per-channel mean and (biased) variance over every axis but the last, ε = 1e-5
 * (PyTorch's BatchNorm2d). The reference's connector only ever runs while training (it is not part of the student
 * that is evaluated), so its batch norm always normalises with the batch's statistics; there are no moving
 * averages to keep. K starts as the reference initialises it, N(0, 2/n) with n = 1·1·Ct (He normal with fan-out,
 * untruncated), drawn by Box–Muller from uniforms seeded `${seed}/kernel/radius` and `…/angle`; γ starts at 1 and
 * β at 0. The maps must have the same H×W, as the reference pairs stages of one resolution. The caller trains
 * `variables()` with the student and calls `dispose()`.
 */
export class OfdConnector {
  readonly kind: 'conv' | 'dense';
  readonly kernel: tf.Variable;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  /** ε of the batch norm, PyTorch's default. */
  readonly epsilon = 1e-5;

  constructor(options: OfdConnectorOptions) {
    const { studentShape, teacherShape } = options;
    const labels = options.labels ?? { where: 'OfdConnector', student: 'student feature', teacher: 'teacher feature' };
    const pair = `${labels.student} ${describeShape(studentShape)} to ${labels.teacher} ${describeShape(teacherShape)}`;
    if (studentShape.length !== teacherShape.length || (studentShape.length !== 2 && studentShape.length !== 4)) {
      throw new DistilleryError(
        `${labels.where}: cannot connect ${pair}: pair two NHWC maps [B, H, W, C] (1×1 conv connector) or two vectors [B, D] (dense connector)`,
      );
    }
    const studentUnits = studentShape[studentShape.length - 1];
    const teacherUnits = teacherShape[teacherShape.length - 1];
    if (typeof studentUnits !== 'number' || typeof teacherUnits !== 'number') {
      throw new DistilleryError(
        `${labels.where}: cannot connect ${pair}: the last dimension must be known to size the connector`,
      );
    }
    const [sh, sw, th, tw] = [studentShape[1], studentShape[2], teacherShape[1], teacherShape[2]];
    if (studentShape.length === 4 && (differ(sh, th) || differ(sw, tw))) {
      throw new DistilleryError(
        `${labels.where}: cannot connect ${pair}: OFD compares maps of one H×W; pair layers of the same resolution`,
      );
    }
    this.kind = studentShape.length === 4 ? 'conv' : 'dense';
    const kernelShape = this.kind === 'conv' ? [1, 1, studentUnits, teacherUnits] : [studentUnits, teacherUnits];
    const made: tf.Variable[] = [];
    try {
      made.push(
        tf.tidy(() =>
          tf.variable(
            tf.mul(standardNormal(kernelShape, `${options.seed}/kernel`), Math.sqrt(2 / teacherUnits)),
            true,
            options.variableName('kernel'),
          ),
        ),
      );
      made.push(tf.tidy(() => tf.variable(tf.ones([teacherUnits]), true, options.variableName('gamma'))));
      made.push(tf.tidy(() => tf.variable(tf.zeros([teacherUnits]), true, options.variableName('beta'))));
    } catch (error) {
      for (const variable of made) variable.dispose();
      throw error;
    }
    [this.kernel, this.gamma, this.beta] = made as [tf.Variable, tf.Variable, tf.Variable];
  }

  /** c(feature): the student's feature in the teacher's channels, normalised with this batch's statistics. */
  apply(feature: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const mapped =
        this.kind === 'conv'
          ? tf.conv2d(feature as tf.Tensor4D, this.kernel as tf.Tensor4D, 1, 'valid')
          : tf.matMul(feature as tf.Tensor2D, this.kernel as tf.Tensor2D);
      const axes = mapped.shape.slice(0, -1).map((_, axis) => axis);
      const { mean, variance } = tf.moments(mapped, axes);
      const normalized = tf.mul(tf.sub(mapped, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalized, this.gamma), this.beta);
    });
  }

  /** The kernel, γ and β, in that order. */
  variables(): tf.Variable[] {
    return [this.kernel, this.gamma, this.beta];
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

/**
 * N(0, 1) draws seeded by text (tf.randomNormal takes only numeric seeds): Box–Muller over two seeded uniform draws,
 * √(−2 ln u₁) · cos(2π u₂), with u₁ = 1 − U[0, 1) in (0, 1] so the logarithm stays finite.
 */
function standardNormal(shape: number[], seed: string): tf.Tensor {
  return tf.tidy(() => {
    const radius = tf.sqrt(tf.mul(tf.log(tf.sub(1, tf.randomUniform(shape, 0, 1, 'float32', `${seed}/radius`))), -2));
    return tf.mul(radius, tf.cos(tf.mul(tf.randomUniform(shape, 0, 1, 'float32', `${seed}/angle`), 2 * Math.PI)));
  });
}

function differ(a: number | null | undefined, b: number | null | undefined): boolean {
  return typeof a === 'number' && typeof b === 'number' && a !== b;
}

function describeShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
