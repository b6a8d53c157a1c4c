import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { ModelOutputs } from '../strategy/ModelOutputs.js';
import type { SymbolicShape } from '../strategy/TapShapes.js';
import { describeFeatures } from './describeFeatures.js';
import type { ForwardModel } from './ForwardModel.js';
import type { TeacherView } from './TeacherView.js';

/**
 * The {@link TeacherView} of a model only run forward: asks it for the tapped features on every pass and checks that
 * what comes back has the shapes it declared, so a runtime's surprise is one line naming the teacher, not a shape
 * error deep inside a strategy.
 */
export class ForwardModelView implements TeacherView {
  readonly numClasses: number;

  constructor(
    readonly role: string,
    readonly model: ForwardModel,
    readonly featureNames: readonly string[],
  ) {
    this.numClasses = model.numClasses;
    for (const name of featureNames) {
      if (model.featureShapes[name] === undefined) {
        throw new DistilleryError(`${role}: no output named '${name}'; its outputs are: ${describeFeatures(model)}`);
      }
    }
  }

  tapShapes(): Record<string, SymbolicShape> {
    return Object.fromEntries(this.featureNames.map((name) => [name, this.model.featureShapes[name] as SymbolicShape]));
  }

  async predict(inputs: tf.Tensor): Promise<ModelOutputs> {
    const outputs = await this.model.predict(inputs, this.featureNames);
    const batch = inputs.shape[0];
    const expected = (shape: SymbolicShape) => [batch, ...shape.slice(1)];
    const problem =
      mismatch('logits', outputs.logits.shape, [batch, this.numClasses]) ??
      this.featureNames
        .map((name) => mismatch(name, outputs.features[name]?.shape, expected(this.model.featureShapes[name] ?? [])))
        .find((found) => found !== undefined);
    if (problem !== undefined) {
      tf.dispose([outputs.logits, ...Object.values(outputs.features)]);
      throw new DistilleryError(`${this.role} (${this.model.description}): ${problem}`);
    }
    const features: Record<string, tf.Tensor> = {};
    for (const [name, tensor] of Object.entries(outputs.features)) {
      if (this.featureNames.includes(name)) features[name] = tensor;
      else tensor.dispose();
    }
    return { logits: outputs.logits, features };
  }
}

/** Why `shape` does not fit `expected` (where `null` matches any size), or undefined when it fits. */
function mismatch(
  name: string,
  shape: readonly number[] | undefined,
  expected: readonly (number | null | undefined)[],
): string | undefined {
  if (shape === undefined) return `gave no output '${name}'`;
  const fits = shape.length === expected.length && shape.every((size, i) => expected[i] == null || expected[i] === size);
  return fits
    ? undefined
    : `output '${name}' has shape [${shape.join(', ')}], expected [${expected.map((size) => size ?? 'any').join(', ')}]`;
}
