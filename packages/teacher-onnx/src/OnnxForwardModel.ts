import { DistilleryError, type ForwardModel, type ModelOutputs, type SymbolicShape } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { moveChannels } from './moveChannels.js';

/** What {@link OnnxForwardModel} runs, settled and checked at load time by `createOnnxTeacher`. */
export interface OnnxForwardModelParts {
  readonly session: InferenceSession;
  readonly description: string;
  readonly inputShape: readonly number[];
  /** The graph input fed with the data. */
  readonly input: string;
  /** Whether the data's channels-last images go in channels first (an NCHW model). */
  readonly channelsFirst: boolean;
  /** The graph output holding the logits. */
  readonly logits: string;
  readonly numClasses: number;
  /** Shapes of the features as strategies see them (channels last). */
  readonly featureShapes: Readonly<Record<string, SymbolicShape>>;
  /** The features computed channels first, handed out channels last. */
  readonly channelsFirstFeatures: ReadonlySet<string>;
  readonly parameterCount: number;
  readonly fingerprint: string;
}

/**
 * An ONNX model run by onnxruntime as a {@link ForwardModel}: each batch is read from the tfjs backend, run by the
 * session, and its outputs become tfjs tensors on the active backend.
 */
export class OnnxForwardModel implements ForwardModel {
  readonly forwardOnly = true;
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly featureShapes: Readonly<Record<string, SymbolicShape>>;
  readonly parameterCount: number;

  constructor(private readonly parts: OnnxForwardModelParts) {
    this.description = parts.description;
    this.inputShape = parts.inputShape;
    this.numClasses = parts.numClasses;
    this.featureShapes = parts.featureShapes;
    this.parameterCount = parts.parameterCount;
  }

  /** SHA-256 of the file and of the options that change what it computes (input, layout, logits). */
  async fingerprint(): Promise<string> {
    return this.parts.fingerprint;
  }

  async predict(inputs: tf.Tensor, features: readonly string[]): Promise<ModelOutputs> {
    const unknown = features.find((name) => this.featureShapes[name] === undefined);
    if (unknown !== undefined) {
      const known = Object.keys(this.featureShapes);
      throw new DistilleryError(
        `${this.description}: no feature named '${unknown}'; its features are: ${known.length > 0 ? known.join(', ') : 'none'}`,
      );
    }
    const { session, input, logits } = this.parts;
    const dims = inputs.shape;
    const read = await inputs.data();
    const values = read instanceof Float32Array ? read : Float32Array.from(read as ArrayLike<number>);
    const feed = this.parts.channelsFirst
      ? new Tensor('float32', moveChannels(values, dims, 'first'), [dims[0], dims[3], dims[1], dims[2]] as number[])
      : new Tensor('float32', values, dims);
    // A name asked for twice gets one tensor: a second would be made and lost.
    const names = [...new Set(features)];
    const results = await session.run({ [input]: feed }, [...new Set([logits, ...names])]);
    const tensorOf = (name: string): tf.Tensor => {
      const result = results[name] as Tensor;
      const data = result.data as Float32Array;
      const [batch = 0, channels = 0, height = 0, width = 0] = result.dims;
      return this.parts.channelsFirstFeatures.has(name) && result.dims.length === 4
        ? tf.tensor4d(moveChannels(data, result.dims, 'last'), [batch, height, width, channels])
        : tf.tensor(data, [...result.dims]);
    };
    const outputs: ModelOutputs = {
      logits: tensorOf(logits) as tf.Tensor2D,
      features: Object.fromEntries(names.map((name) => [name, tensorOf(name)])),
    };
    return outputs;
  }

  /** Releases the onnxruntime session; the model cannot predict after. */
  dispose(): void {
    // Nothing is left to do if releasing fails, and dispose() returns nothing that could report it.
    this.parts.session.release().catch(() => {});
  }
}
