import { DistilleryError } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The batch's output of `layer` among `features` (a model's tapped layers). The kernel taps every layer a
 * strategy lists, so a miss means the strategy asked for a layer it did not list; the error says which.
 *
 * @param role whose outputs these are, as the message names them (`student`, `teacher 'wide'`)
 * @param strategyKey the strategy asking (`attention.at`), to start the message
 */
export function tappedFeature(
  features: Readonly<Record<string, tf.Tensor>>,
  layer: string,
  role: string,
  strategyKey: string,
): tf.Tensor {
  const feature = features[layer];
  if (feature === undefined) throw new DistilleryError(`${strategyKey}: the ${role} outputs have no tapped layer '${layer}'`);
  return feature;
}
