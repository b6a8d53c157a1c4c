import type { RandomDrawsLayer } from '@distillery/core/internal';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SeededDropoutArgs } from './SeededDropoutArgs.js';

/**
 * Dropout whose mask at its n-th training call is drawn from (seed, n). tfjs's own Dropout given a
 * seed reseeds every call with that same seed, so it drops the same units at every step; unseeded, its
 * masks cannot be repeated. Here a run with a seed is repeatable, and the count of draws
 * (`randomDraws`) is checkpointed by the Distiller, so a resumed run draws the masks the uninterrupted
 * run would have. It saves as a plain `Dropout` (same config), so exported models load in any tfjs.
 */
export class SeededDropout extends tfl.layers.Layer implements RandomDrawsLayer {
  static readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number | undefined;
  randomDraws = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed ?? undefined;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
    if (kwargs.training !== true || this.rate <= 0) return input;
    const draw = this.randomDraws++;
    return tf.dropout(input, this.rate, undefined, this.seed === undefined ? undefined : `${this.seed}:${draw}`);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, noiseShape: null, seed: this.seed ?? null };
  }
}

// Deserialising a 'Dropout' (a saved zoo model, a checkpoint) gives this class back in this process.
tf.serialization.registerClass(SeededDropout);
