import type * as tf from '@tensorflow/tfjs-core';

/**
 * The names of every node of a GraphModel's top-level graph, in model.json's order: what `GraphModel.execute` can
 * return. Nodes inside the function library (the bodies of control flow) cannot be returned, so they are left out.
 */
export function graphNodeNames(artifacts: tf.io.ModelArtifacts): string[] {
  const topology = artifacts.modelTopology as { node?: readonly { name?: unknown }[] } | undefined;
  return (topology?.node ?? []).map((node) => node.name).filter((name): name is string => typeof name === 'string');
}
