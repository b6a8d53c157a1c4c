import { Distiller } from '../training/Distiller.js';
import { composeExperiment } from './composeExperiment.js';
import type { ExperimentSpec } from './ExperimentSpec.js';

/** Composes the experiment's container and resolves its {@link Distiller}. */
export function createDistiller(spec: ExperimentSpec): Distiller {
  return composeExperiment(spec).get(Distiller);
}
