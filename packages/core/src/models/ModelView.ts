import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Logger } from '../composition/Logger.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { ModelOutputs } from '../strategy/ModelOutputs.js';
import type { SymbolicShape } from '../strategy/TapShapes.js';
import { describeLayers } from './describeLayers.js';
import type { TeacherView } from './TeacherView.js';

/** Smallest probability taken before a log, so a softmax output that underflowed to 0 stays finite. */
const PROBABILITY_FLOOR = 1e-7;

/**
 * A read-through view of a model that also returns the outputs of some inner layers. It is a second
 * tfjs graph over the same layer objects, so it shares every weight with the model it views.
 */
export class ModelView implements TeacherView {
  readonly numClasses: number;
  private readonly graph: tfl.LayersModel;
  private readonly outputsProbabilities: boolean;
  /** Where each tapped layer's output is among the graph's outputs (0: the model's own output, when it is tapped). */
  private readonly outputIndex: readonly number[];

  constructor(
    /** How errors name the model: `student`, `teacher 'wide'`. */
    readonly role: string,
    readonly model: tfl.LayersModel,
    readonly layerNames: readonly string[],
    logger: Logger,
  ) {
    if (model.outputs.length !== 1) {
      throw new DistilleryError(`${role}: expected a model with one output (logits [B, C]), got ${model.outputs.length}`);
    }
    const outputShape = model.outputs[0]?.shape ?? [];
    const classes = outputShape[1];
    if (outputShape.length !== 2 || typeof classes !== 'number') {
      throw new DistilleryError(
        `${role}: expected an output of shape [B, C] (logits), got [${outputShape.map((size) => size ?? 'B').join(', ')}]`,
      );
    }
    this.numClasses = classes;
    this.outputsProbabilities = endsInSoftmax(model);
    if (this.outputsProbabilities) {
      logger.warn(
        `${role} ends in a softmax; its outputs are turned back into logits as log(p). Prefer a model that outputs logits.`,
      );
    }
    for (const name of layerNames) {
      if (!model.layers.some((layer) => layer.name === name)) {
        throw new DistilleryError(`${role}: no layer named '${name}'; its layers are: ${describeLayers(model)}`);
      }
    }
    // tfjs gives null for an output listed twice, so a tapped output layer (`<name>_logits`) or a layer tapped
    // twice is one output of the graph that several taps read.
    const outputs = [model.outputs[0] as tfl.SymbolicTensor];
    this.outputIndex = layerNames.map((name) => {
      const output = layerOutput(model, name, role);
      const index = outputs.indexOf(output);
      return index >= 0 ? index : outputs.push(output) - 1;
    });
    this.graph = outputs.length === 1 ? model : tfl.model({ inputs: model.inputs, outputs });
  }

  /** Static shapes of the tapped layers' outputs, batch dimension `null`. */
  tapShapes(): Record<string, SymbolicShape> {
    const shapes: Record<string, SymbolicShape> = {};
    for (const name of this.layerNames) shapes[name] = layerOutput(this.model, name, this.role).shape;
    return shapes;
  }

  /** One forward pass. `training` switches dropout and batch normalisation to their training behaviour. */
  apply(inputs: tf.Tensor, training: boolean): ModelOutputs {
    const result = this.graph.apply(inputs, { training }) as tf.Tensor | tf.Tensor[];
    const outputs = Array.isArray(result) ? result : [result];
    const features: Record<string, tf.Tensor> = {};
    this.layerNames.forEach((name, i) => {
      features[name] = outputs[this.outputIndex[i] as number] as tf.Tensor;
    });
    const raw = outputs[0] as tf.Tensor2D;
    const logits = this.outputsProbabilities ? tf.log(tf.clipByValue(raw, PROBABILITY_FLOOR, 1)) : raw;
    return { logits, features };
  }

  /** One pass in inference mode, its intermediates freed: how the kernel runs a teacher. */
  predict(inputs: tf.Tensor): Promise<ModelOutputs> {
    return Promise.resolve(tf.tidy(() => this.apply(inputs, false) as unknown as tf.TensorContainer) as unknown as ModelOutputs);
  }
}

function layerOutput(model: tfl.LayersModel, name: string, role: string): tfl.SymbolicTensor {
  const output = model.getLayer(name).output;
  if (Array.isArray(output)) {
    throw new DistilleryError(`${role}: layer '${name}' has ${output.length} outputs; tap a layer with one output`);
  }
  return output;
}

function endsInSoftmax(model: tfl.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  if (last === undefined) return false;
  return last.getClassName() === 'Softmax' || last.getConfig().activation === 'softmax';
}
