import * as tfl from '@tensorflow/tfjs-layers';

type Tensor = tfl.SymbolicTensor;

/**
 * Makes the layers the zoo's nets share, named `<prefix>_<local>` and seeded: the n-th initialiser of a
 * model built with seed s draws with seed 1000·s + n, so a seed gives the same initial model and two seeds
 * do not share draws (no zoo model has 1000 initialisers).
 *
 * Conventions, those of the reference PyTorch code (RepDistiller, the WRN authors' code):
 * - convolutions are He normal with fan-out, N(0, 2 / (k·k·out)) (`kaiming_normal_(mode='fan_out')`, or
 *   `normal_(0, sqrt(2 / n))` with n = k·k·out), untruncated: tfjs's own He normal draws from a normal
 *   truncated at 2σ, whose spread is 0.88 times as large. Depthwise 3×3 kernels over C channels get
 *   N(0, 2 / (9·C)), the value that code computes for them too.
 * - convolutions have no bias (batch norm follows), unless asked (RepDistiller's VGG keeps its biases).
 * - batch norm has momentum 0.9 and epsilon 1e-5: PyTorch's BatchNorm2d defaults (its momentum 0.1 is the
 *   weight of the new batch statistics, tfjs's momentum the weight of the old).
 * - the classifier is PyTorch's nn.Linear weight initialisation, U(±1/√fan_in), with a zero bias.
 * - 'same' padding: with stride 2 on an even size tfjs pads 0 before and 1 after where PyTorch's padding=1
 *   pads 1 on both sides; the output shape and the parameter count are the same.
 */
export class LayerFactory {
  private nextSeed: number;

  constructor(
    readonly prefix: string,
    seed: number,
  ) {
    this.nextSeed = seed * 1000;
  }

  /** `<prefix>_<local>`. */
  name(local: string): string {
    return `${this.prefix}_${local}`;
  }

  conv(
    x: Tensor,
    local: string,
    filters: number,
    kernelSize: number,
    options: { strides?: number; bias?: boolean } = {},
  ): Tensor {
    return tfl.layers
      .conv2d({
        name: this.name(local),
        filters,
        kernelSize,
        strides: options.strides ?? 1,
        padding: 'same',
        useBias: options.bias ?? false,
        kernelInitializer: this.heNormal(kernelSize * kernelSize * filters),
      })
      .apply(x) as Tensor;
  }

  depthwise(x: Tensor, local: string, strides = 1): Tensor {
    return tfl.layers
      .depthwiseConv2d({
        name: this.name(local),
        kernelSize: 3,
        strides,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: this.heNormal(9 * (x.shape[3] as number)),
      })
      .apply(x) as Tensor;
  }

  private heNormal(fan: number) {
    return tfl.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fan), seed: this.nextSeed++ });
  }

  batchNorm(x: Tensor, local: string): Tensor {
    return tfl.layers.batchNormalization({ name: this.name(local), momentum: 0.9, epsilon: 1e-5 }).apply(x) as Tensor;
  }

  relu(x: Tensor, local: string): Tensor {
    return tfl.layers.reLU({ name: this.name(local) }).apply(x) as Tensor;
  }

  add(a: Tensor, b: Tensor, local: string): Tensor {
    return tfl.layers.add({ name: this.name(local) }).apply([a, b]) as Tensor;
  }

  /** conv → batch norm → ReLU, the last named `reluName` (default `<local>_relu`). */
  convBnRelu(
    x: Tensor,
    local: string,
    filters: number,
    kernelSize: number,
    options: { strides?: number; bias?: boolean; reluName?: string } = {},
  ): Tensor {
    const normalised = this.batchNorm(this.conv(x, local, filters, kernelSize, options), `${local}_bn`);
    return this.relu(normalised, options.reluName ?? `${local}_relu`);
  }

  /**
   * PyTorch's default initialisation of a convolution's or a dense layer's kernel and bias, U(±1/√fan_in)
   * (`kaiming_uniform_(a=√5)` reduces to that bound), for the layers of nets whose reference code keeps it.
   */
  uniformFanIn(fanIn: number) {
    const bound = 1 / Math.sqrt(fanIn);
    return tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.nextSeed++ });
  }

  /** The dense classifier `<prefix>_logits` over `features` [B, n]: nn.Linear's kernel initialisation, a zero bias. */
  logits(features: Tensor, classes: number): Tensor {
    return tfl.layers
      .dense({
        name: this.name('logits'),
        units: classes,
        kernelInitializer: this.uniformFanIn(features.shape[1] as number),
        biasInitializer: 'zeros',
      })
      .apply(features) as Tensor;
  }

  /**
   * Global average pooling (`<prefix>_pool`), then the dense classifier (`<prefix>_logits`), as a model
   * whose one output is the logits.
   */
  classifier(input: Tensor, features: Tensor, classes: number): tfl.LayersModel {
    const pooled = tfl.layers.globalAveragePooling2d({ name: this.name('pool') }).apply(features) as Tensor;
    return tfl.model({ name: this.prefix, inputs: input, outputs: this.logits(pooled, classes) });
  }
}
