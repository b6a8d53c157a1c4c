import * as tf from '@tensorflow/tfjs-core';
import type { EmbeddingHeadOptions } from './EmbeddingHeadOptions.js';
import { normalizeRows } from './normalizeRows.js';

/**
 * CRD's embedding head (RepDistiller's `Embed`): a feature [B, …] flattened per example to [B, D_in], a dense
 * layer to [B, D_out], then each row scaled to unit L2 norm, so that v · m is a cosine similarity. Kernel and
 * bias start as PyTorch's `nn.Linear` does, U(±1/√D_in) (its Kaiming-uniform with a = √5 gives that bound for
 * the kernel too). The strategy trains `variables()` with the student and calls `dispose()`.
 */
export class EmbeddingHead {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(private readonly options: EmbeddingHeadOptions) {
    const { inputSize, outputSize, seed, variableName } = options;
    const bound = 1 / Math.sqrt(inputSize);
    // tidy frees the initial values each variable copies.
    [this.kernel, this.bias] = tf.tidy(() => [
      tf.variable(
        tf.randomUniform([inputSize, outputSize], -bound, bound, 'float32', `${seed}/kernel`),
        true,
        variableName('kernel'),
      ),
      tf.variable(tf.randomUniform([outputSize], -bound, bound, 'float32', `${seed}/bias`), true, variableName('bias')),
    ]);
  }

  /** The unit-norm embedding [B, D_out] of a feature [B, …] whose per-example size is D_in. */
  apply(feature: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = tf.reshape(feature, [feature.shape[0] as number, this.options.inputSize]);
      return normalizeRows(tf.add(tf.matMul(rows, this.kernel as tf.Tensor2D), this.bias) as tf.Tensor2D);
    });
  }

  variables(): readonly tf.Variable[] {
    return [this.kernel, this.bias];
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias]);
  }
}
