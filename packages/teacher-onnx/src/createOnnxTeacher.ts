import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DistilleryError, type ForwardModel, type SymbolicShape } from '@distillery/core';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { describeDims } from './describeDims.js';
import { firstLine } from './firstLine.js';
import { OnnxForwardModel } from './OnnxForwardModel.js';
import type { OnnxGraph } from './OnnxGraph.js';
import type { OnnxTeacherOptions } from './OnnxTeacherOptions.js';
import { openOnnxSession } from './openOnnxSession.js';
import { readOnnxGraph } from './readOnnxGraph.js';
import { resolveInputLayout } from './resolveInputLayout.js';
import { unknownValueProblem } from './unknownValueProblem.js';
import { withGraphOutputs } from './withGraphOutputs.js';

/** How a teacher is named: `description` in the model, `source` (a path, or the description) in errors. */
export interface OnnxTeacherNames {
  readonly description: string;
  readonly source: string;
}

/**
 * The ONNX model in `bytes` as a {@link ForwardModel}: checks the options against the graph, makes the requested
 * intermediate values graph outputs, opens an onnxruntime session, and runs it once on a batch of one zero example to
 * learn the logits' width and the features' shapes (and that the model runs on the data's shape at all). Every problem
 * is one line naming `names.source`.
 */
export async function createOnnxTeacher(
  bytes: Uint8Array,
  options: OnnxTeacherOptions,
  names: OnnxTeacherNames,
): Promise<ForwardModel> {
  const { source } = names;
  const fail = (problem: string) => new DistilleryError(`${source}: ${problem}`);
  const inputShape = [...(options.inputShape ?? [])];
  if (inputShape.length === 0 || !inputShape.every((size) => Number.isInteger(size) && size > 0)) {
    throw fail(`inputShape must list one example's sizes (positive integers), got [${inputShape.join(', ')}]`);
  }
  const threads = threadCount(options.threads, fail);
  const graph = await readGraph(bytes, threads, source);

  const outputs = graph.outputs.map((output) => output.name);
  const logits = options.logits ?? outputs[0] ?? '';
  const features = [...new Set(options.features ?? outputs.filter((name) => name !== logits))];
  const nodeOutputs = new Set(graph.nodeOutputs);
  const known = (name: string) => outputs.includes(name) || nodeOutputs.has(name);
  if (!known(logits)) throw fail(unknownValueProblem(logits, graph, ' for the logits'));
  const missing = features.find((name) => !known(name));
  if (missing !== undefined) throw fail(unknownValueProblem(missing, graph));
  const added = [...new Set([logits, ...features])]
    .filter((name) => !outputs.includes(name))
    .map((name) => ({ name, type: graph.valueTypes.get(name) }));

  const session = await openOnnxSession(withGraphOutputs(bytes, added), threads, source);
  try {
    const input = chooseInput(session, options.input, fail);
    const fit = resolveInputLayout(input.name, input.shape, inputShape, options.layout);
    if (!fit.fits) throw fail(`input '${input.name}' ${fit.problem}`);
    const channelsFirst = fit.layout === 'nchw' && inputShape.length === 3;

    const [height = 0, width = 0, channels = 0] = inputShape;
    const probeShape = channelsFirst ? [1, channels, height, width] : [1, ...inputShape];
    const probe = await runProbe(session, input.name, probeShape, [logits, ...features], fail);
    const logitDims = probe.get(logits)?.dims ?? [];
    if (logitDims.length !== 2) {
      throw fail(`the logits output '${logits}' has shape ${describeDims(logitDims)} on a batch of 1, expected [1, classes]`);
    }
    const featureShapes: Record<string, SymbolicShape> = {};
    const channelsFirstFeatures = new Set<string>();
    for (const name of features) {
      const dims = probe.get(name)?.dims ?? [];
      const [, d1 = 0, d2 = 0, d3 = 0] = dims;
      const moved = channelsFirst && dims.length === 4;
      if (moved) channelsFirstFeatures.add(name);
      featureShapes[name] = moved ? [null, d2, d3, d1] : [null, ...dims.slice(1)];
    }
    return new OnnxForwardModel({
      session,
      description: names.description,
      inputShape,
      input: input.name,
      channelsFirst,
      logits,
      numClasses: logitDims[1] as number,
      featureShapes,
      channelsFirstFeatures,
      parameterCount: graph.parameterCount,
      fingerprint: createHash('sha256')
        .update(bytes)
        .update(JSON.stringify({ input: input.name, layout: fit.layout, logits }))
        .digest('hex'),
    });
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** Threads for onnxruntime: the option, else DISTILLERY_NATIVE_THREADS (as the native backend reads it), else the CPUs. */
function threadCount(threads: number | undefined, fail: (problem: string) => Error): number {
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw fail(`threads must be a positive integer, got ${threads}`);
    return threads;
  }
  const fromEnvironment = Number.parseInt(process.env.DISTILLERY_NATIVE_THREADS ?? '', 10);
  return fromEnvironment > 0 ? fromEnvironment : availableParallelism();
}

/** The model's graph; bytes that hold none are reported with onnxruntime's own words on them. */
async function readGraph(bytes: Uint8Array, threads: number, source: string): Promise<OnnxGraph> {
  let graph: OnnxGraph | undefined;
  let problem = 'it holds no graph';
  try {
    graph = readOnnxGraph(bytes);
  } catch (error) {
    problem = firstLine(error);
  }
  if (graph !== undefined) return graph;
  // onnxruntime's reasons read better than a protobuf reader's, so let it try; it fails on such bytes.
  const session = await openOnnxSession(bytes, threads, source);
  await session.release();
  throw new DistilleryError(`${source}: not a valid ONNX model (${problem})`);
}

/** The input fed with the data: the one named, else the only one; it must take float32. */
function chooseInput(
  session: InferenceSession,
  name: string | undefined,
  fail: (problem: string) => Error,
): { name: string; shape: readonly (number | string)[] } {
  const inputs = session.inputMetadata;
  const listed = inputs.map((input) => input.name).join(', ');
  if (name === undefined && inputs.length !== 1) {
    throw fail(`the model has ${inputs.length} inputs (${listed}); name the one fed with the data in 'input'`);
  }
  const input = name === undefined ? inputs[0] : inputs.find((candidate) => candidate.name === name);
  if (input === undefined) throw fail(`no input named '${name}'; its inputs are: ${listed}`);
  if (!input.isTensor || input.type !== 'float32') {
    const type = input.isTensor ? input.type : 'not a tensor';
    throw fail(`input '${input.name}' takes ${type}, expected float32 (Distillery feeds float32 examples)`);
  }
  return { name: input.name, shape: input.shape };
}

/** One run on a batch of zeros, fetching `fetches`, each checked to come back float32. */
async function runProbe(
  session: InferenceSession,
  input: string,
  shape: readonly number[],
  fetches: readonly string[],
  fail: (problem: string) => Error,
): Promise<Map<string, Tensor>> {
  const size = shape.reduce((product, dim) => product * dim, 1);
  let results: InferenceSession.OnnxValueMapType;
  try {
    results = await session.run({ [input]: new Tensor('float32', new Float32Array(size), shape) }, [...new Set(fetches)]);
  } catch (error) {
    throw fail(`fails on a batch of 1 zero example of shape [${shape.join(', ')}] (${firstLine(error)})`);
  }
  const found = new Map<string, Tensor>();
  for (const name of fetches) {
    const value = results[name] as Tensor;
    if (value.type !== 'float32') throw fail(`output '${name}' is ${value.type}, expected float32`);
    found.set(name, value);
  }
  return found;
}
