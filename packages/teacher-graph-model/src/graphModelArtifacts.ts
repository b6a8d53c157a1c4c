import * as tf from '@tensorflow/tfjs-core';
import type { LoadedGraphModel } from './LoadedGraphModel.js';

/**
 * What `model` was loaded from (its GraphDef as JSON, weight specs, signature), read through `GraphModel.save`, the
 * one public way to it: the artifacts are otherwise a private field.
 */
export async function graphModelArtifacts(model: LoadedGraphModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (captured === undefined) throw new Error('GraphModel.save handed over no artifacts');
  return captured;
}
