import { DistilleryError, resizeBilinearHalfPixel, type SymbolicShape } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { VidRegressorOptions } from './VidRegressorOptions.js';

/**
 * The learned parts of one VID layer pair (Ahn et al. 2019, "Variational Information Distillation for Knowledge
 * Transfer"), shaped as RepDistiller's `VIDLoss`: a regressor μ(f_s) that predicts the teacher's feature, and a
 * log-scale s per teacher channel whose softplus(s) + ε is that channel's variance (see `vidLoss`).
 *
 *   NHWC maps [B, H, W, Cs] → [B, H', W', Ct]:  μ(f) = conv₃(relu(conv₂(relu(conv₁(match(f))))))
 *       1×1 convolutions without bias, kernels [1, 1, Cs, M], [1, 1, M, M], [1, 1, M, Ct]
 *   vectors   [B, Ds] → [B, Dt]:               the same with dense kernels [Ds, M], [M, M], [M, Dt], no bias
 *
 * M is `midChannels`, default Ct (RepDistiller builds `VIDLoss(s, t, t)`). RepDistiller's `conv1x1` passes
 * `bias=False`, so there are no biases. Kernel k is PyTorch's default conv/linear initialisation,
 * U(±1/√fan_in) with fan_in its input width, seeded `${seed}/kernel${k}`. s starts at
 * log(exp(initVariance − ε) − 1), so every channel's variance starts at `initVariance` (RepDistiller's
 * `init_pred_var`, 5).
 *
 * `match` brings the student map to the teacher map's H×W before the regressor, as RepDistiller pools its input:
 * the identity when they agree; an average pool with window and stride H/H' × W/W' when the student map is an
 * integer multiple of the teacher's (what `F.adaptive_avg_pool2d` computes then); otherwise a bilinear resize with
 * half-pixel centres (`resizeBilinearHalfPixel`). The caller trains `variables()` with the student and calls
 * `dispose()`.
 */
export class VidRegressor {
  readonly kind: 'conv' | 'dense';
  readonly kernels: readonly [tf.Variable, tf.Variable, tf.Variable];
  readonly logScale: tf.Variable;
  /** ε of the variance softplus(s) + ε that `initVariance` was set for: pass it to `vidLoss` with `logScale`. */
  readonly eps: number;
  /** The teacher map's static [H, W] (conv only); an entry is `null` where the model leaves it open. */
  private readonly targetSize: readonly [number | null, number | null] | undefined;

  constructor(options: VidRegressorOptions) {
    const { studentShape, teacherShape, initVariance = 5, eps = 1e-5 } = options;
    const labels = options.labels ?? { where: 'VidRegressor', student: 'student feature', teacher: 'teacher feature' };
    const pair = `${labels.student} ${describeShape(studentShape)} onto ${labels.teacher} ${describeShape(teacherShape)}`;
    if (studentShape.length !== teacherShape.length || (studentShape.length !== 2 && studentShape.length !== 4)) {
      throw new DistilleryError(
        `${labels.where}: cannot regress ${pair}: pair two NHWC maps [B, H, W, C] (1×1 conv regressor) or two vectors [B, D] (dense regressor)`,
      );
    }
    const studentUnits = studentShape[studentShape.length - 1];
    const teacherUnits = teacherShape[teacherShape.length - 1];
    if (typeof studentUnits !== 'number' || typeof teacherUnits !== 'number') {
      throw new DistilleryError(
        `${labels.where}: cannot regress ${pair}: the last dimension must be known to size the regressor`,
      );
    }
    const middle = options.midChannels ?? teacherUnits;
    if (!Number.isInteger(middle) || middle < 1) {
      throw new DistilleryError(`${labels.where}: midChannels must be a positive integer, got ${middle}`);
    }
    if (!Number.isFinite(eps) || eps < 0 || !Number.isFinite(initVariance) || initVariance <= eps) {
      throw new DistilleryError(
        `${labels.where}: initVariance must be a finite number above eps, got initVariance ${initVariance} and eps ${eps}`,
      );
    }
    this.eps = eps;
    this.kind = studentShape.length === 4 ? 'conv' : 'dense';
    this.targetSize = this.kind === 'conv' ? [teacherShape[1] ?? null, teacherShape[2] ?? null] : undefined;

    const widths = [studentUnits, middle, middle, teacherUnits] as const;
    const made: tf.Variable[] = [];
    try {
      for (let layer = 0; layer < 3; layer++) {
        const [fanIn, fanOut] = [widths[layer] as number, widths[layer + 1] as number];
        const shape = this.kind === 'conv' ? [1, 1, fanIn, fanOut] : [fanIn, fanOut];
        const limit = 1 / Math.sqrt(fanIn);
        const local = (['kernel1', 'kernel2', 'kernel3'] as const)[layer] as 'kernel1' | 'kernel2' | 'kernel3';
        made.push(
          tf.tidy(() =>
            tf.variable(
              tf.randomUniform(shape, -limit, limit, 'float32', `${options.seed}/${local}`),
              true,
              options.variableName(local),
            ),
          ),
        );
      }
      made.push(
        tf.tidy(() =>
          tf.variable(tf.fill([teacherUnits], inverseSoftplus(initVariance - eps)), true, options.variableName('logScale')),
        ),
      );
    } catch (error) {
      for (const variable of made) variable.dispose();
      throw error;
    }
    this.kernels = [made[0], made[1], made[2]] as [tf.Variable, tf.Variable, tf.Variable];
    this.logScale = made[3] as tf.Variable;
  }

  /**
   * μ(feature), the predicted mean of the teacher's feature. For conv maps, `outputSize` is the teacher map's
   * [H, W] on this batch; it defaults to the static size from construction and only matters for models whose
   * spatial size is left open.
   */
  apply(feature: tf.Tensor, outputSize?: readonly [number, number]): tf.Tensor {
    return tf.tidy(() => {
      const [first, second, third] = this.kernels;
      if (this.kind === 'dense') {
        const hidden = tf.relu(
          tf.matMul(tf.relu(tf.matMul(feature as tf.Tensor2D, first as tf.Tensor2D)), second as tf.Tensor2D),
        );
        return tf.matMul(hidden, third as tf.Tensor2D);
      }
      const map = feature as tf.Tensor4D;
      const height = outputSize?.[0] ?? this.targetSize?.[0] ?? (map.shape[1] as number);
      const width = outputSize?.[1] ?? this.targetSize?.[1] ?? (map.shape[2] as number);
      const conv = (input: tf.Tensor4D, kernel: tf.Variable) => tf.conv2d(input, kernel as tf.Tensor4D, 1, 'valid');
      const matched = matchSpatialSize(map, [height, width]);
      return conv(tf.relu(conv(tf.relu(conv(matched, first)), second)), third);
    });
  }

  /** The three kernels and the log-scale, in that order. */
  variables(): tf.Variable[] {
    return [...this.kernels, this.logScale];
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

/** softplus⁻¹(v) = log(e^v − 1), written v + log(1 − e^{−v}) so large v does not overflow. */
function inverseSoftplus(value: number): number {
  return value + Math.log(-Math.expm1(-value));
}

/** The student map at the teacher's H×W: unchanged, average-pooled by an integer factor, else resized bilinearly. */
function matchSpatialSize(map: tf.Tensor4D, [height, width]: readonly [number, number]): tf.Tensor4D {
  const [, sourceHeight, sourceWidth] = map.shape;
  if (sourceHeight === height && sourceWidth === width) return map;
  if (sourceHeight % height === 0 && sourceWidth % width === 0) {
    const window: [number, number] = [sourceHeight / height, sourceWidth / width];
    return tf.avgPool(map, window, window, 'valid');
  }
  return resizeBilinearHalfPixel(map, [height, width]);
}

function describeShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
