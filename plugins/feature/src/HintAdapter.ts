import { DistilleryError, resizeBilinearHalfPixel, type SymbolicShape } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

export interface HintAdapterOptions {
  /**
   * Names the variable `local` (`'kernel'`, `'bias'`), called just before it is created; the names must be
   * unique among live variables, since tfjs keys gradients by name. A strategy names them through its
   * creation context's `variableName`, under the pair (`pairs[0]/kernel`); see `HintAdapterSet`.
   */
  readonly variableName: (local: 'kernel' | 'bias') => string;
  /** Static output shape of the student's guided layer, batch dimension `null`. */
  readonly studentShape: SymbolicShape;
  /** Static output shape of the teacher's hint layer, batch dimension `null`. */
  readonly teacherShape: SymbolicShape;
  /** Seeds the Glorot-uniform kernel, so an experiment starts from the same adapter on every run. */
  readonly seed: number | string;
  /**
   * Conv maps whose H×W differ: `'bilinear'` (default) resizes the adapted student map to the teacher's
   * H×W; `'refuse'` throws here, at build time.
   */
  readonly resize?: 'bilinear' | 'refuse';
  /** How shape errors name the pair: `${where}: ${student} [B, 8, 8, 4] and ${teacher} [B, 4, 4, 8] …`. */
  readonly labels?: { readonly where: string; readonly student: string; readonly teacher: string };
}

/**
 * The FitNets regressor r (Romero et al. 2015, section 2.2): a learned map from the student's guided
 * layer to the teacher's hint layer, so that hint = mean((r(f_s) − f_t)²) compares tensors of one shape.
 *
 *   NHWC maps [B, H, W, Cs] → [B, H', W', Ct]:  r(f) = resize(conv1×1(f; K [1, 1, Cs, Ct]) + b)
 *   vectors   [B, Ds]       → [B, Dt]:          r(f) = f·K [Ds, Dt] + b
 *
 * Following torchdistill / mdistiller, the conv regressor has no activation; `resize` is the identity when
 * H×W already match. K is Glorot-uniform, U(±√(6 / (fan_in + fan_out))) with fan_in = Cs (Ds) and
 * fan_out = Ct (Dt); b starts at 0. The caller trains `variables()` with the student and calls `dispose()`.
 */
export class HintAdapter {
  readonly kind: 'conv' | 'dense';
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  /** The teacher map's static [H, W] (conv only); an entry is `null` where the model leaves it open. */
  private readonly targetSize: readonly [number | null, number | null] | undefined;
  private readonly resize: 'bilinear' | 'refuse';
  private readonly labels: NonNullable<HintAdapterOptions['labels']>;

  constructor(options: HintAdapterOptions) {
    const { studentShape, teacherShape } = options;
    this.resize = options.resize ?? 'bilinear';
    this.labels = options.labels ?? { where: 'HintAdapter', student: 'student feature', teacher: 'teacher feature' };
    const pair = `${this.labels.student} ${describeShape(studentShape)} and ${this.labels.teacher} ${describeShape(teacherShape)}`;

    if (studentShape.length !== teacherShape.length || (studentShape.length !== 2 && studentShape.length !== 4)) {
      throw new DistilleryError(
        `${this.labels.where}: cannot adapt ${pair}: pair two NHWC maps [B, H, W, C] (1×1 conv adapter) or two vectors [B, D] (dense adapter)`,
      );
    }
    const studentUnits = studentShape[studentShape.length - 1];
    const teacherUnits = teacherShape[teacherShape.length - 1];
    if (typeof studentUnits !== 'number' || typeof teacherUnits !== 'number') {
      throw new DistilleryError(
        `${this.labels.where}: cannot adapt ${pair}: the last dimension must be known to size the adapter`,
      );
    }

    if (studentShape.length === 4) {
      this.kind = 'conv';
      const targetSize: [number | null, number | null] = [teacherShape[1] ?? null, teacherShape[2] ?? null];
      const sourceSize = [studentShape[1] ?? null, studentShape[2] ?? null];
      const known = [...targetSize, ...sourceSize].every((size) => typeof size === 'number');
      if (known && this.resize === 'refuse' && (sourceSize[0] !== targetSize[0] || sourceSize[1] !== targetSize[1])) {
        throw new DistilleryError(
          `${this.labels.where}: ${pair} differ in spatial size and resize is 'refuse'; pair layers of equal H×W or set resize: 'bilinear'`,
        );
      }
      this.targetSize = targetSize;
    } else {
      this.kind = 'dense';
      this.targetSize = undefined;
    }

    const kernelShape = this.kind === 'conv' ? [1, 1, studentUnits, teacherUnits] : [studentUnits, teacherUnits];
    const limit = Math.sqrt(6 / (studentUnits + teacherUnits));
    this.kernel = tf.tidy(() =>
      tf.variable(tf.randomUniform(kernelShape, -limit, limit, 'float32', options.seed), true, options.variableName('kernel')),
    );
    this.bias = tf.tidy(() => tf.variable(tf.zeros([teacherUnits]), true, options.variableName('bias')));
  }

  /**
   * r(feature). For conv maps, `outputSize` is the teacher map's [H, W] on this batch; it defaults to the
   * static size from construction and only matters for models whose spatial size is left open.
   */
  apply(feature: tf.Tensor, outputSize?: readonly [number, number]): tf.Tensor {
    return tf.tidy(() => {
      if (this.kind === 'dense') return tf.add(tf.matMul(feature as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
      const mapped = tf.add(tf.conv2d(feature as tf.Tensor4D, this.kernel as tf.Tensor4D, 1, 'valid'), this.bias) as tf.Tensor4D;
      const height = outputSize?.[0] ?? this.targetSize?.[0] ?? mapped.shape[1];
      const width = outputSize?.[1] ?? this.targetSize?.[1] ?? mapped.shape[2];
      if (height === mapped.shape[1] && width === mapped.shape[2]) return mapped;
      if (this.resize === 'refuse') {
        throw new DistilleryError(
          `${this.labels.where}: ${this.labels.student} is ${mapped.shape[1]}×${mapped.shape[2]} but ${this.labels.teacher} is ${height}×${width} and resize is 'refuse'`,
        );
      }
      return resizeBilinearHalfPixel(mapped, [height, width]);
    });
  }

  variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}

function describeShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
