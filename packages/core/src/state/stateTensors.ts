import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { StateTensor } from './StateTensor.js';

/** A tensor's value as plain data; a copy, since a backend may update its buffer in place. */
export async function stateTensorOf(tensor: tf.Tensor): Promise<StateTensor> {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new DistilleryError(`checkpoint: cannot keep a ${tensor.dtype} tensor`);
  }
  const values = await tensor.data();
  return {
    shape: [...tensor.shape],
    dtype: tensor.dtype,
    values: tensor.dtype === 'int32' ? Int32Array.from(values as Int32Array) : Float32Array.from(values as Float32Array),
  };
}

/** A new tensor holding `state`'s values; the caller disposes it. */
export function tensorOf(state: StateTensor): tf.Tensor {
  return tf.tensor(state.values, [...state.shape], state.dtype);
}

/** Refuses saved tensors that do not fit the current ones, one by one, naming `what` and the index. */
export function checkShapes(what: string, saved: readonly StateTensor[], current: readonly tf.Tensor[]): void {
  if (saved.length !== current.length) {
    throw new DistilleryError(
      `${what}: the checkpoint has ${saved.length}, this experiment ${current.length}; it was made for another model`,
    );
  }
  saved.forEach((tensor, i) => {
    const shape = (current[i] as tf.Tensor).shape;
    if (!tf.util.arraysEqual([...tensor.shape], shape)) {
      throw new DistilleryError(`${what}: #${i} has shape [${tensor.shape}] in the checkpoint, [${shape}] here`);
    }
  });
}
