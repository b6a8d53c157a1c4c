import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { describeSymbolicShape } from './describeSymbolicShape.js';
import type { TranslatorOptions } from './TranslatorOptions.js';

/** Negative slope of the references' `nn.LeakyReLU(0.1)`. */
const LEAKY_SLOPE = 0.1;

/** PyTorch's BatchNorm2d default ε. */
const BATCH_NORM_EPSILON = 1e-5;

interface TranslatorLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
}

/**
 * Factor transfer's translator (Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor
 * Transfer", NeurIPS, section 3.2; reference code Jangho-Kim/Factor-Transfer-pytorch `Translator`, RepDistiller
 * `models/util.py`): the student's side, which turns a student feature [B, H, W, Cs] into a student factor
 * [B, H, W, F] comparable with the teacher's, F the teacher paraphraser's factor channels. Shaped as the
 * paraphraser's encoder:
 *
 *   x → conv1 (Cs → Cs) → conv2 (Cs → F) → conv3 (F → F),   each 3×3, stride 1, padding 1, with bias,
 *                                                            then [batch norm,] leaky ReLU (slope 0.1)
 *
 * Kernels are `[3, 3, in, out]`, kernel and bias U(±1/√(9 · in)) (PyTorch's default). With `batchNorm` (RepDistiller's
 * `use_bn=True`), each convolution is followed by batch norm over this batch's moments (N, H, W; biased variance;
 * ε 1e-5) with a learned γ (starts at 1) and β (starts at 0): the translator only runs while training, so the running
 * averages PyTorch also keeps are never read and are not kept. The caller trains `variables()` with the student and
 * calls `dispose()`.
 */
export class Translator {
  /** Cs, the student feature's channels. */
  readonly inChannels: number;
  /** F, the factor's channels. */
  readonly factorChannels: number;
  readonly batchNorm: boolean;
  private readonly layers: readonly TranslatorLayer[];

  constructor(options: TranslatorOptions) {
    const { studentShape, factorChannels, seed, batchNorm = false } = options;
    const labels = options.labels ?? { where: 'Translator', student: 'student feature' };
    const described = `${labels.student} ${describeSymbolicShape(studentShape)}`;
    if (studentShape.length !== 4) {
      throw new DistilleryError(
        `${labels.where}: cannot translate ${described}: factor transfer needs an NHWC map [B, H, W, C]`,
        labels.where,
      );
    }
    const channels = studentShape[3];
    if (typeof channels !== 'number') {
      throw new DistilleryError(
        `${labels.where}: cannot translate ${described}: the channel count must be known to size the translator`,
        labels.where,
      );
    }
    if (!Number.isInteger(factorChannels) || factorChannels < 1) {
      throw new DistilleryError(`${labels.where}: factorChannels must be a positive integer, got ${factorChannels}`);
    }
    this.inChannels = channels;
    this.factorChannels = factorChannels;
    this.batchNorm = batchNorm;

    const made: tf.Variable[] = [];
    const variable = (local: string, initial: () => tf.Tensor): tf.Variable => {
      const created = tf.tidy(() => tf.variable(initial(), true, options.variableName(local)));
      made.push(created);
      return created;
    };
    const layer = (index: number, input: number, output: number): TranslatorLayer => {
      const bound = 1 / Math.sqrt(9 * input);
      const uniform = (local: string, shape: number[]) => () =>
        tf.randomUniform(shape, -bound, bound, 'float32', `${seed}/${local}`);
      const conv = `conv${index}`;
      const norm = `bn${index}`;
      return {
        kernel: variable(`${conv}/kernel`, uniform(`${conv}/kernel`, [3, 3, input, output])),
        bias: variable(`${conv}/bias`, uniform(`${conv}/bias`, [output])),
        gamma: batchNorm ? variable(`${norm}/gamma`, () => tf.ones([output])) : undefined,
        beta: batchNorm ? variable(`${norm}/beta`, () => tf.zeros([output])) : undefined,
      };
    };
    try {
      this.layers = [layer(1, channels, channels), layer(2, channels, factorChannels), layer(3, factorChannels, factorChannels)];
    } catch (error) {
      tf.dispose(made);
      throw error;
    }
  }

  /** The student factor of `feature` [B, H, W, Cs]: [B, H, W, F]. The caller owns the result. */
  apply(feature: tf.Tensor4D): tf.Tensor4D {
    if (feature.shape[3] !== this.inChannels) {
      throw new DistilleryError(
        `Translator: expected a feature with ${this.inChannels} channels, got [${feature.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      let x = feature;
      for (const { kernel, bias, gamma, beta } of this.layers) {
        let y = tf.add(tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same'), bias) as tf.Tensor4D;
        if (gamma !== undefined && beta !== undefined) {
          const { mean, variance } = tf.moments(y, [0, 1, 2]);
          y = tf.batchNorm(y, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, BATCH_NORM_EPSILON) as tf.Tensor4D;
        }
        x = tf.leakyRelu(y, LEAKY_SLOPE) as tf.Tensor4D;
      }
      return x;
    });
  }

  /** Every trained variable, layer by layer: kernel, bias (then γ, β with batch norm). */
  variables(): tf.Variable[] {
    return this.layers.flatMap(({ kernel, bias, gamma, beta }) =>
      gamma !== undefined && beta !== undefined ? [kernel, bias, gamma, beta] : [kernel, bias],
    );
  }

  /** Frees every variable it made. */
  dispose(): void {
    tf.dispose(this.variables());
  }
}
