import type * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { Peer } from '../models/Peer.js';
import type { Student } from '../models/Student.js';

/**
 * What the optimizer updates, in checkpoint order: the student's trainable weights (none for a fixed student),
 * then each peer's, then the strategies' variables. Refuses an experiment that would train nothing.
 */
export function trainableVariables(
  student: Student,
  peers: readonly Peer[],
  strategyVariables: readonly tf.Variable[],
): tf.Variable[] {
  const weightsOf = (model: Student['model']) => model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const trainable = [
    ...(student.trainable === false ? [] : weightsOf(student.model)),
    ...peers.flatMap(({ model }) => weightsOf(model)),
    ...strategyVariables,
  ];
  if (trainable.length === 0) {
    throw new DistilleryError(
      'student.trainable: false leaves nothing to train: no peer, and no strategy with variables of its own',
      'student.trainable',
    );
  }
  return trainable;
}
