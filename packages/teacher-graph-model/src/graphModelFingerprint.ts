import { sha256Hex } from '@distillery/core/internal';
import type * as tf from '@tensorflow/tfjs-core';
import type { LoadedGraphModel } from './LoadedGraphModel.js';

/**
 * SHA-256 (hex) of what fixes a GraphModel teacher's outputs: its graph (the GraphDef as JSON), the node read as
 * logits, and every weight (name, dtype, shape and bytes, in name order). Two teachers share it only when they compute
 * the same logits, so it can key the teacher-output cache and the stage fingerprints.
 */
export async function graphModelFingerprint(
  model: LoadedGraphModel,
  artifacts: tf.io.ModelArtifacts,
  logits: string,
): Promise<string> {
  const names = Object.keys(model.weights).sort();
  const tensors = names.flatMap((name) => (model.weights[name] ?? []).map((tensor) => ({ name, tensor })));
  const header = JSON.stringify({
    topology: artifacts.modelTopology,
    logits,
    weights: tensors.map(({ name, tensor }) => ({ name, dtype: tensor.dtype, shape: tensor.shape })),
  });
  const parts: Uint8Array[] = [new TextEncoder().encode(header)];
  for (const { tensor } of tensors) parts.push(...(await bytesOf(tensor)));
  return sha256Hex(parts);
}

/** A tensor's values as bytes; each string of a string tensor after its length, so that ['ab'] and ['a', 'b'] differ. */
async function bytesOf(tensor: tf.Tensor): Promise<Uint8Array[]> {
  if (tensor.dtype === 'string') {
    const strings = (await tensor.bytes()) as Uint8Array[];
    return strings.flatMap((value) => [new Uint8Array(Uint32Array.of(value.byteLength).buffer), value]);
  }
  const values = await tensor.data();
  return [new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];
}
