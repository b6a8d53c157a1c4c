import { mkdir, readFile } from 'node:fs/promises';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { expectedWeightBytes } from './expectedWeightBytes.js';
import { modelFilePaths } from './modelFilePaths.js';
import { writeFileAtomic } from './writeFileAtomic.js';

const WEIGHTS_FILE = 'weights.bin';

/**
 * A tfjs IOHandler for a model directory in the standard layout (model.json + weights.bin), the one
 * tfjs-node writes, so models move freely between Distillery, tfjs-node, the browser and tfjs tooling.
 * Each file is replaced atomically; a failed save leaves the previous model intact.
 */
export function fileSystemHandler(location: string): tf.io.IOHandler {
  const { directory, modelJson } = modelFilePaths(location);
  return {
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new DistilleryError(`${modelJson}: only layers models (JSON topology) can be saved here`);
      }
      const weightData =
        artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJSON: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
      };
      await mkdir(directory, { recursive: true });
      // Weights first: a crash between the two renames leaves the old model.json, whose size check then fails loudly.
      await writeFileAtomic(`${directory}/${WEIGHTS_FILE}`, new Uint8Array(weightData));
      await writeFileAtomic(modelJson, JSON.stringify(modelJSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load() {
      const modelJSON = parseModelJson(modelJson, await readText(modelJson));
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers: ArrayBuffer[] = [];
        for (const path of manifest.flatMap((group) => group.paths)) {
          const file = `${directory}/${path}`;
          const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') throw new DistilleryError(`weights file not found: ${file} (listed in ${modelJson})`);
            throw new DistilleryError(`weights file ${file} cannot be read: ${error.message}`);
          });
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
        const weightData = tf.io.concatenateArrayBuffers(buffers);
        // Each string is stored after its length, so string weights (a graph model's lookup tables) have no size the
        // specs fix: with them, the other weights' size is only a lower bound.
        const withStrings = specs.some((spec) => spec.dtype === 'string');
        const expected = expectedWeightBytes(specs.filter((spec) => spec.dtype !== 'string'));
        if (withStrings ? weightData.byteLength < expected : weightData.byteLength !== expected) {
          throw new DistilleryError(
            `weights of ${modelJson}: the files hold ${weightData.byteLength} bytes but model.json describes ${withStrings ? 'at least ' : ''}${expected} (truncated or from another model?)`,
          );
        }
        return [specs, weightData];
      });
    },
  };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DistilleryError(`model file not found: ${path}`);
    throw new DistilleryError(`model file ${path} cannot be read: ${(error as Error).message}`);
  }
}

function parseModelJson(path: string, text: string): tf.io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DistilleryError(`model file ${path} is not valid JSON (${(error as Error).message})`);
  }
  const candidate = parsed as Partial<tf.io.ModelJSON> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.modelTopology !== 'object' ||
    !Array.isArray(candidate.weightsManifest)
  ) {
    throw new DistilleryError(`model file ${path}: expected a tfjs layers model with modelTopology and weightsManifest`);
  }
  return candidate as tf.io.ModelJSON;
}
