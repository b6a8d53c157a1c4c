import { readFile, stat } from 'node:fs/promises';
import { DistilleryError } from '@distillery/core';
import * as tfc from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';
import { fileSystemHandler } from './fileSystemHandler.js';
import { modelFilePaths } from './modelFilePaths.js';

/**
 * Loads a TF.js GraphModel (tensorflowjs_converter's output for a SavedModel, Keras or TF Hub model: model.json in
 * the `graph-model` format and its weight shards) from a directory or its model.json. Every problem with the files is
 * a one-line DistilleryError naming the file.
 */
export async function loadGraphModel(location: string): Promise<tfc.GraphModel> {
  const { directory, modelJson } = modelFilePaths(location);
  const found = await stat(directory).catch(() => undefined);
  if (found === undefined || !found.isDirectory()) throw new DistilleryError(`graph model directory not found: ${directory}`);
  // A layers model would fail later with a message about GraphDefs; said first, it points to the right loader.
  const kind = modelKind(await readFile(modelJson, 'utf8').catch(() => undefined));
  if (kind === 'layers') {
    throw new DistilleryError(`model file ${modelJson} is a layers model; use type: file (tfjs-layers) for it`);
  }
  const handler = fileSystemHandler(location);
  const checked: tf.io.IOHandler = {
    async load() {
      const artifacts = await (handler.load as NonNullable<tf.io.IOHandler['load']>)();
      if (modelKind(artifacts) !== 'graph') {
        throw new DistilleryError(
          `model file ${modelJson} is not a graph model: expected format 'graph-model' and a modelTopology with a node list`,
        );
      }
      return artifacts;
    },
  };
  try {
    return await tfc.loadGraphModel(checked);
  } catch (error) {
    if (error instanceof DistilleryError) throw error;
    const reason = (error as Error).message.split('\n')[0];
    throw new DistilleryError(`model file ${modelJson} does not describe a graph tfjs can load (${reason})`);
  }
}

/** Whether model.json's text (or its parsed artifacts) describes a graph model, a layers model, or neither/unknown. */
function modelKind(json: string | tf.io.ModelArtifacts | undefined): 'graph' | 'layers' | undefined {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { format, modelTopology } = parsed as { format?: unknown; modelTopology?: Record<string, unknown> };
  const topology = typeof modelTopology === 'object' && modelTopology !== null ? modelTopology : {};
  if (format === 'layers-model' || 'class_name' in topology || 'model_config' in topology) return 'layers';
  if ((format === undefined || format === 'graph-model') && Array.isArray(topology.node)) return 'graph';
  return undefined;
}
