import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormalization } from '@tensorflow/tfjs-layers/dist/layers/normalization.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { BatchNormTraining } from './BatchNormTraining.js';
import { batchNormInTraining } from './batchNormInTraining.js';

type LayerCall = (this: BatchNormalization, inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];

/** The fields of tfjs-layers' BatchNormalization the training path reads (public in its JavaScript, not typed). */
interface BatchNormalizationFields {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly gamma?: { read(): tf.Tensor };
  readonly beta?: { read(): tf.Tensor };
  readonly movingMean: { read(): tf.Tensor; write(value: tf.Tensor): void };
  readonly movingVariance: { read(): tf.Tensor; write(value: tf.Tensor): void };
}

let stockCall: LayerCall | undefined;

/**
 * Makes tfjs-layers' BatchNormalization train through {@link batchNormInTraining} on a backend that registers
 * the {@link BatchNormTraining} kernel: one kernel forward and one backward per layer instead of moments, the
 * normalisation and the thirty-odd tensor operations of their gradients. Every model built with
 * tf.layers.batchNormalization, loaded or built in code, gets it; inference, other backends and the layouts the
 * kernel does not take (channels not on the last axis, no scale or no offset, non-float input) keep the stock
 * path. The moving averages are updated exactly as tfjs-layers does. Installing twice changes nothing.
 *
 * It replaces the class's `call` because tfjs-layers has no hook for it; the replacement delegates to the
 * original for every case it does not take.
 */
export function installBatchNormTraining(): void {
  if (stockCall !== undefined) return;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization;
  if (entry === undefined) return;
  const prototype = (entry[0] as unknown as { prototype: BatchNormalization }).prototype;
  const original = prototype.call as LayerCall;
  stockCall = original;
  prototype.call = function fusedCall(this: BatchNormalization, inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) {
    const layer = this as unknown as BatchNormalizationFields;
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const takes =
      kwargs?.training === true &&
      input !== undefined &&
      input.dtype === 'float32' &&
      (layer.axis === -1 || layer.axis === input.rank - 1) &&
      layer.gamma !== undefined &&
      layer.beta !== undefined &&
      tf.getKernel(BatchNormTraining, tf.getBackend()) !== undefined;
    if (!takes) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const { normalized, mean, variance } = batchNormInTraining(
        input,
        layer.gamma?.read() as tf.Tensor1D,
        layer.beta?.read() as tf.Tensor1D,
        layer.epsilon,
      );
      for (const [variable, value] of [
        [layer.movingMean, mean],
        [layer.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - layer.momentum)));
        });
      }
      return normalized;
    });
  };
}
