import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelSliceArgs } from './ChannelSliceArgs.js';

/**
 * Keeps channels [begin, begin + size) of an NHWC map: ShuffleNetV2's channel split. tfjs-layers has no
 * slicing (nor Lambda) layer. Registered with tfjs's serialisation, so a saved ShuffleNetV2 loads back in
 * any process that imports @distillery/zoo.
 */
export class ChannelSlice extends tfl.layers.Layer {
  static readonly className = 'DistilleryChannelSlice';
  readonly begin: number;
  readonly size: number;

  constructor(args: ChannelSliceArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.begin = args.begin;
    this.size = args.size;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [...shape.slice(0, -1), this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
    const begin = input.shape.map((_, axis) => (axis === input.rank - 1 ? this.begin : 0));
    const size = input.shape.map((extent, axis) => (axis === input.rank - 1 ? this.size : extent));
    return tf.slice(input, begin, size);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}

tf.serialization.registerClass(ChannelSlice);
