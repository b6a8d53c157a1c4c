import type { StateTensor } from '../state/StateTensor.js';
import { stateTensorOf } from '../state/stateTensors.js';
import type { Distiller } from '../training/Distiller.js';
import { localVariableName } from './localVariableName.js';

/**
 * The values of every variable the stage's strategies own, trained (`variables`) and state (`state`), by the
 * local name each strategy gave it, for a later stage to start from (see `StageSpec.strategyWeightsFrom`).
 */
export async function strategyWeightsOf(distiller: Distiller): Promise<Record<string, StateTensor>> {
  const kept: Record<string, StateTensor> = {};
  for (const variable of [...distiller.strategyVariables(), ...distiller.strategyState()]) {
    kept[localVariableName(variable.name)] = await stateTensorOf(variable);
  }
  return kept;
}
