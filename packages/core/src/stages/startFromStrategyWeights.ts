import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { StateTensor } from '../state/StateTensor.js';
import type { Distiller } from '../training/Distiller.js';
import { localVariableName } from './localVariableName.js';

/**
 * Sets every strategy variable and state variable of `distiller` whose local name an earlier stage kept to that
 * stage's value (a module pre-trained there: factor transfer's paraphraser encoder). Variables the earlier stage
 * did not have keep their initialisation. Checks every shape before assigning any, so a mismatch changes nothing;
 * refuses a source with nothing in common, which would leave the module untrained without a word. Returns the
 * local names set.
 */
export function startFromStrategyWeights(
  distiller: Distiller,
  kept: Readonly<Record<string, StateTensor>>,
  /** `stages[2].strategyWeightsFrom`, for errors. */
  field: string,
  source: string,
): string[] {
  const matches = [...distiller.strategyVariables(), ...distiller.strategyState()].flatMap((variable) => {
    const local = localVariableName(variable.name);
    const value = kept[local];
    return value === undefined ? [] : [{ variable, local, value }];
  });
  if (matches.length === 0) {
    const names = Object.keys(kept);
    throw new DistilleryError(
      `${field}: stage '${source}' kept no strategy variable this stage's strategies have (it kept ${
        names.length === 0 ? 'none' : names.slice(0, 4).join(', ') + (names.length > 4 ? ', …' : '')
      })`,
      field,
    );
  }
  for (const { variable, local, value } of matches) {
    if (!tf.util.arraysEqual([...value.shape], variable.shape)) {
      throw new DistilleryError(
        `${field}: '${local}' has shape [${value.shape}] in stage '${source}', [${variable.shape}] here`,
        field,
      );
    }
  }
  for (const { variable, value } of matches) {
    tf.tidy(() => variable.assign(tf.tensor(value.values, [...value.shape], variable.dtype)));
  }
  return matches.map(({ local }) => local);
}
