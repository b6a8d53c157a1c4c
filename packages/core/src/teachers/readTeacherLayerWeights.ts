import { DistilleryError } from '../errors/DistilleryError.js';
import { isForwardModel } from '../models/isForwardModel.js';
import type { Teacher } from '../models/Teacher.js';
import type { LayerWeight } from '../strategy/LayerWeight.js';

/**
 * Copies of the weights of layer `layer` of the teacher named `teacher` (what `StrategyCreationContext.teacherLayerWeights`
 * gives a strategy): each weight's name within the layer (`gamma`, not tfjs's unique `bn/gamma_3`), its shape and
 * its values, copied, since the cpu backend's `dataSync` hands out the variable's own array. Throws a one-line
 * {@link DistilleryError} when the teacher or the layer does not exist; the layer list is left out, as a model may
 * have hundreds (a tapped layer's error lists them).
 */
export function readTeacherLayerWeights(teachers: readonly Teacher[], teacher: string, layer: string): LayerWeight[] {
  const found = teachers.find(({ name }) => name === teacher);
  if (found === undefined) {
    const names = teachers.map(({ name }) => name);
    throw new DistilleryError(
      names.length === 0
        ? `cannot read layer '${layer}' of teacher '${teacher}': the experiment has no teachers`
        : `cannot read layer '${layer}' of unknown teacher '${teacher}'; the teachers are: ${names.join(', ')}`,
    );
  }
  if (isForwardModel(found.model)) {
    throw new DistilleryError(
      `cannot read layer '${layer}' of teacher '${teacher}': it is ${found.model.description}, run forward only; a strategy that reads a teacher's weights needs a tfjs LayersModel teacher`,
    );
  }
  const source = found.model.layers.find(({ name }) => name === layer);
  if (source === undefined) {
    throw new DistilleryError(`teacher '${teacher}' has no layer '${layer}' (it has ${found.model.layers.length} layers)`);
  }
  return source.weights.map((weight) => {
    const prefix = `${source.name}/`;
    const name = weight.originalName.startsWith(prefix)
      ? weight.originalName.slice(prefix.length)
      : weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
    const value = weight.read();
    return { name, shape: [...value.shape], values: new Float32Array(value.dataSync()) };
  });
}
