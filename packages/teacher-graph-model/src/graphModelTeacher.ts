import { DistilleryError, type ForwardModel, type ModelOutputs, type SymbolicShape } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { GraphRunner } from './GraphRunner.js';
import { graphModelArtifacts } from './graphModelArtifacts.js';
import { graphModelFingerprint } from './graphModelFingerprint.js';
import { graphNodeNames } from './graphNodeNames.js';
import type { LoadedGraphModel } from './LoadedGraphModel.js';
import { similarNodeNames } from './similarNodeNames.js';

/** How a GraphModel serves as a teacher. */
export interface GraphModelTeacherOptions {
  /** One example's shape as the data has it, channels last (`[32, 32, 3]`): checked against the graph's input. */
  readonly inputShape: readonly number[];
  /**
   * The output holding the logits [B, classes]: a signature output key (`logits`) or a node name (`Identity`,
   * `StatefulPartitionedCall/model/dense_1/BiasAdd`). Default: the graph's only output.
   */
  readonly logits?: string;
  /** Nodes of the graph that strategies may tap, by node name (`StatefulPartitionedCall/model/stage2/Relu`). */
  readonly features?: readonly string[];
  /** How messages name the teacher. Default `TF.js GraphModel`. */
  readonly description?: string;
  /** Replaces the default fingerprint (SHA-256 of the graph, the logits node and the weights). */
  readonly fingerprint?: () => Promise<string>;
}

/**
 * A TF.js GraphModel (a converted TensorFlow SavedModel, Keras model or TF Hub module) as a Distillery teacher: a
 * {@link ForwardModel} that returns the `logits` node's output and any of the graph's nodes as features. It runs the
 * graph once on a batch of zeros to learn the number of classes and each feature's shape, so every problem with the
 * model or the options is one line here, before training starts. The teacher owns `model` and disposes it.
 */
export async function graphModelTeacher(model: LoadedGraphModel, options: GraphModelTeacherOptions): Promise<ForwardModel> {
  const description = options.description ?? 'TF.js GraphModel';
  const fail = (problem: string) => new DistilleryError(`${description}: ${problem}`);
  const inputShape = checkedInputShape(model, options.inputShape, fail);
  const artifacts = await graphModelArtifacts(model);
  const nodes = graphNodeNames(artifacts);
  const isNode = (name: string) => nodes.includes(name.replace(/:\d+$/, '')) || model.outputNodes.includes(name);
  const logits = logitsNode(model, options.logits, isNode, fail);
  const featureNames = [...new Set(options.features ?? [])];
  options.features?.forEach((name, i) => {
    if (!isNode(name)) throw fail(`features[${i}]: ${unknownNode(name, nodes)}`);
  });

  const runner = new GraphRunner(model);
  const { numClasses, featureShapes } = await probe(runner, logits, featureNames, inputShape, fail);
  let fingerprint: Promise<string> | undefined;
  return {
    forwardOnly: true,
    description,
    inputShape,
    numClasses,
    featureShapes,
    parameterCount: parameterCount(model),
    fingerprint() {
      fingerprint ??= options.fingerprint?.() ?? graphModelFingerprint(model, artifacts, logits);
      return fingerprint;
    },
    async predict(inputs: tf.Tensor, features: readonly string[]): Promise<ModelOutputs> {
      const names = [...new Set(features)];
      const unknown = names.find((name) => featureShapes[name] === undefined);
      if (unknown !== undefined) {
        throw fail(`no feature '${unknown}'; its features are: ${featureNames.join(', ') || 'none (options.features)'}`);
      }
      const [logitsTensor, ...tapped] = await runner.run(inputs, [logits, ...names]);
      return {
        logits: logitsTensor as tf.Tensor2D,
        features: Object.fromEntries(names.map((name, i) => [name, tapped[i] as tf.Tensor])),
      };
    },
    dispose() {
      model.dispose();
    },
  };
}

/** `inputShape` after checking that it is concrete and that the graph's one float32 input takes batches of it. */
function checkedInputShape(
  model: LoadedGraphModel,
  inputShape: readonly number[],
  fail: (problem: string) => DistilleryError,
): number[] {
  if (!inputShape.every((size) => Number.isInteger(size) && size > 0)) {
    throw fail(`inputShape [${inputShape.join(', ')}]: expected one example's sizes, positive integers`);
  }
  const inputs = model.inputs;
  if (inputs.length !== 1) {
    const names = inputs.map((input) => input.name).join(', ');
    throw fail(`the graph has ${inputs.length} inputs (${names}); a teacher takes exactly one, the examples`);
  }
  const input = inputs[0] as (typeof inputs)[number];
  if (input.dtype !== undefined && input.dtype !== 'float32') {
    throw fail(`input '${input.name}' takes ${input.dtype}; expected float32, the examples as the data holds them`);
  }
  const expected = [-1, ...inputShape];
  const shape = input.shape;
  const fits =
    shape === undefined ||
    (shape.length === expected.length && shape.every((size, i) => size === -1 || size === null || size === expected[i]));
  if (!fits) {
    throw fail(
      `input '${input.name}' has shape [${shape.join(', ')}]; expected [${expected.join(', ')}]: any batch of examples shaped [${inputShape.join(', ')}] (inputShape)`,
    );
  }
  return [...inputShape];
}

/** The name to execute for the logits: the given one when the graph has it, else the graph's only output. */
function logitsNode(
  model: LoadedGraphModel,
  requested: string | undefined,
  isNode: (name: string) => boolean,
  fail: (problem: string) => DistilleryError,
): string {
  const outputs = model.outputNodes.map((key, i) => {
    const node = model.outputs[i]?.name;
    return node === undefined || node === key.replace(/:\d+$/, '') ? key : `${key} (node ${node})`;
  });
  if (requested === undefined) {
    if (model.outputNodes.length === 1) return model.outputNodes[0] as string;
    throw fail(`the graph has ${outputs.length} outputs (${outputs.join(', ')}); name the one holding the logits (logits)`);
  }
  if (!isNode(requested))
    throw fail(`logits: no output or node named '${requested}'; the graph's outputs are: ${outputs.join(', ')}`);
  return requested;
}

/** Why `requested` is no node, with up to five names the user may have meant. */
function unknownNode(requested: string, nodes: readonly string[]): string {
  const similar = similarNodeNames(requested, nodes);
  const segment = requested.replace(/:\d+$/, '').split('/').at(-1);
  const hint =
    similar.length > 0
      ? `nodes with similar names: ${similar.join(', ')}`
      : `no node name contains '${segment}' (model.json's modelTopology.node lists every node)`;
  return `no node named '${requested}' in the graph; ${hint}`;
}

/** Runs the graph once on zeros [1, ...inputShape]: the logits' width, each feature's shape, and that it runs at all. */
async function probe(
  runner: GraphRunner,
  logits: string,
  features: readonly string[],
  inputShape: readonly number[],
  fail: (problem: string) => DistilleryError,
): Promise<{ numClasses: number; featureShapes: Record<string, SymbolicShape> }> {
  const zeros = tf.zeros([1, ...inputShape]);
  let outputs: tf.Tensor[];
  try {
    outputs = await runner.run(zeros, [logits, ...features]);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw fail(`running the graph on zeros shaped [1, ${inputShape.join(', ')}] failed: ${reason}`);
  } finally {
    zeros.dispose();
  }
  try {
    const [logitsTensor, ...tapped] = outputs as [tf.Tensor, ...tf.Tensor[]];
    if (logitsTensor.rank !== 2 || logitsTensor.shape[0] !== 1 || logitsTensor.dtype !== 'float32') {
      throw fail(
        `logits '${logits}' gives ${logitsTensor.dtype} [${logitsTensor.shape.join(', ')}] for one example; expected float32 [1, classes]`,
      );
    }
    const featureShapes: Record<string, SymbolicShape> = {};
    features.forEach((name, i) => {
      const shape = (tapped[i] as tf.Tensor).shape;
      if (shape[0] !== 1) {
        throw fail(`feature '${name}' has shape [${shape.join(', ')}] for one example; expected [1, ...]: one row per example`);
      }
      featureShapes[name] = [null, ...shape.slice(1)];
    });
    return { numClasses: logitsTensor.shape[1] as number, featureShapes };
  } finally {
    tf.dispose(outputs);
  }
}

/** Elements of the graph's floating-point weights; integer constants (shapes, axes) are no parameters. */
function parameterCount(model: LoadedGraphModel): number {
  return Object.values(model.weights)
    .flat()
    .filter((tensor) => tensor.dtype === 'float32')
    .reduce((total, tensor) => total + tensor.size, 0);
}
