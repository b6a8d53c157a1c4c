import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { describeSymbolicShape } from './describeSymbolicShape.js';
import { factorChannels } from './factorChannels.js';
import type { ParaphraserOptions } from './ParaphraserOptions.js';

/** Negative slope of the references' `nn.LeakyReLU(0.1)` after every convolution. */
const LEAKY_SLOPE = 0.1;

interface ConvWeights {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/**
 * Factor transfer's paraphraser (Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor
 * Transfer", NeurIPS, section 3.1; reference code Jangho-Kim/Factor-Transfer-pytorch `Models/FeatureProjection.py`
 * and RepDistiller `models/util.py`): a convolutional autoencoder over one teacher feature map x [B, H, W, C] whose
 * code, the teacher factor, has F = round(C · k) channels (`factorChannels`). Every layer is 3×3, stride 1,
 * padding 1 (tfjs 'same'), with a bias, followed by a leaky ReLU of slope 0.1, so H×W never changes:
 *
 *   encoder  x → conv1 (C → C) → conv2 (C → F) → conv3 (F → F) = factor
 *   decoder  factor → deconv1 (F → F) → deconv2 (F → C) → deconv3 (C → C) = P(x)     transposed convolutions
 *
 * Kernels are NHWC-ordered: conv `[3, 3, in, out]`; transposed conv `[3, 3, out, in]` (tfjs `conv2dTranspose`'s
 * layout; PyTorch's `ConvTranspose2d` weight `[in, out, 3, 3]` transposed). Initialisation is PyTorch's default
 * for each layer, kernel and bias U(±1/√fan_in), with fan_in = 9 · in for a convolution and 9 · out for a transposed
 * one (PyTorch reads fan_in from the weight's second axis). Neither reference normalises: the authors' batch norms
 * are commented out and RepDistiller's `Paraphraser` defaults to `use_bn=False`, so there is none here; that also
 * keeps the encoder a pure function of its weights when a later stage runs it frozen.
 *
 * The caller trains `variables()` (the paraphraser's own stage) or keeps `encoderVariables()` fixed (the student's
 * stage, built with `decoder: false, trainable: false`), and calls `dispose()`.
 */
export class Paraphraser {
  /** C, the paraphrased feature's channels. */
  readonly channels: number;
  /** F = round(C · k), the factor's channels. */
  readonly factorChannels: number;
  private readonly encoder: readonly ConvWeights[];
  private readonly decoder: readonly ConvWeights[];

  constructor(options: ParaphraserOptions) {
    const { featureShape, rate = 0.5, seed, trainable = true } = options;
    const labels = options.labels ?? { where: 'Paraphraser', feature: 'feature' };
    const described = `${labels.feature} ${describeSymbolicShape(featureShape)}`;
    if (featureShape.length !== 4) {
      throw new DistilleryError(
        `${labels.where}: cannot paraphrase ${described}: factor transfer needs an NHWC map [B, H, W, C]`,
        labels.where,
      );
    }
    const channels = featureShape[3];
    if (typeof channels !== 'number') {
      throw new DistilleryError(
        `${labels.where}: cannot paraphrase ${described}: the channel count must be known to size the paraphraser`,
        labels.where,
      );
    }
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new DistilleryError(`${labels.where}: rate must be a finite number > 0, got ${rate}`, labels.where);
    }
    const factor = factorChannels(channels, rate);
    if (factor < 1) {
      throw new DistilleryError(
        `${labels.where}: rate ${rate} leaves round(${channels} · ${rate}) = 0 factor channels for ${described}; expected a rate that keeps at least one`,
        labels.where,
      );
    }
    this.channels = channels;
    this.factorChannels = factor;

    const made: tf.Variable[] = [];
    /** One layer's kernel and its bias of `outputs` values, both U(±1/√fanIn), as PyTorch starts them. */
    const layer = (local: string, kernelShape: number[], outputs: number, fanIn: number): ConvWeights => {
      const bound = 1 / Math.sqrt(fanIn);
      const variable = (name: string, shape: number[]) => {
        const created = tf.tidy(() =>
          tf.variable(
            tf.randomUniform(shape, -bound, bound, 'float32', `${seed}/${local}/${name}`),
            trainable,
            options.variableName(`${local}/${name}`),
          ),
        );
        made.push(created);
        return created;
      };
      return { kernel: variable('kernel', kernelShape), bias: variable('bias', [outputs]) };
    };
    const conv = (local: string, input: number, output: number) => layer(local, [3, 3, input, output], output, 9 * input);
    const transposed = (local: string, input: number, output: number) => layer(local, [3, 3, output, input], output, 9 * output);
    try {
      this.encoder = [
        conv('encoder/conv1', channels, channels),
        conv('encoder/conv2', channels, factor),
        conv('encoder/conv3', factor, factor),
      ];
      this.decoder =
        options.decoder === false
          ? []
          : [
              transposed('decoder/deconv1', factor, factor),
              transposed('decoder/deconv2', factor, channels),
              transposed('decoder/deconv3', channels, channels),
            ];
    } catch (error) {
      tf.dispose(made);
      throw error;
    }
  }

  /** The teacher factor of `feature` [B, H, W, C]: [B, H, W, F]. The caller owns the result. */
  encode(feature: tf.Tensor4D): tf.Tensor4D {
    if (feature.shape[3] !== this.channels) {
      throw new DistilleryError(
        `Paraphraser: expected a feature with ${this.channels} channels, got [${feature.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      let x = feature;
      for (const { kernel, bias } of this.encoder) {
        x = tf.leakyRelu(tf.add(tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same'), bias), LEAKY_SLOPE) as tf.Tensor4D;
      }
      return x;
    });
  }

  /** P's reconstruction of the feature from its `factor` [B, H, W, F]: [B, H, W, C]. The caller owns the result. */
  decode(factor: tf.Tensor4D): tf.Tensor4D {
    if (this.decoder.length === 0) throw new Error('Paraphraser: built without a decoder (decoder: false)');
    if (factor.shape[3] !== this.factorChannels) {
      throw new DistilleryError(
        `Paraphraser: expected a factor with ${this.factorChannels} channels, got [${factor.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      let x = factor;
      const [batch, height, width] = factor.shape;
      for (const { kernel, bias } of this.decoder) {
        const out = kernel.shape[2] as number;
        // Stride 1 with 'same' padding: PyTorch's ConvTranspose2d(kernel_size=3, stride=1, padding=1), H×W kept.
        const spread = tf.conv2dTranspose(x, kernel as tf.Tensor4D, [batch, height, width, out], 1, 'same');
        x = tf.leakyRelu(tf.add(spread, bias), LEAKY_SLOPE) as tf.Tensor4D;
      }
      return x;
    });
  }

  /** The encoder's kernels and biases: conv1, conv2, conv3, each kernel then bias. */
  encoderVariables(): tf.Variable[] {
    return this.encoder.flatMap(({ kernel, bias }) => [kernel, bias]);
  }

  /** The decoder's kernels and biases (none when built with `decoder: false`): deconv1, deconv2, deconv3. */
  decoderVariables(): tf.Variable[] {
    return this.decoder.flatMap(({ kernel, bias }) => [kernel, bias]);
  }

  /** Every variable: the encoder's, then the decoder's. */
  variables(): tf.Variable[] {
    return [...this.encoderVariables(), ...this.decoderVariables()];
  }

  /** Frees every variable it made. */
  dispose(): void {
    tf.dispose(this.variables());
  }
}
