import type { Dataset } from '../data/Dataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import type { TeacherView } from '../models/TeacherView.js';
import { viewOfTeacher } from '../models/viewOfTeacher.js';
import type { EnsembleEvaluation } from './EnsembleEvaluation.js';
import { evaluateEnsembleLogits } from './evaluateEnsembleLogits.js';
import { inferLogits } from './inferLogits.js';

export interface EvaluateEnsembleOptions {
  /** Examples per forward pass. Default 128. */
  readonly batchSize?: number;
}

const silent = { info() {}, warn() {} };

/**
 * Accuracy and mean cross-entropy, on `data`, of the ensemble that averages the models' softmax outputs
 * (Hinton 2015's ensemble; born-again networks' BANE, Furlanello et al. 2018). A single model is scored alone:
 * p̄ = (1/K) Σ_k softmax(z_k), accuracy = (1/N) Σ_n [argmax_c p̄_{n,c} = y_n], loss = −(1/N) Σ_n log p̄_{n, y_n}.
 * The models (LayersModels or models only run forward) run in inference mode; a model ending in a softmax is read as
 * log(p), as the kernel does.
 * Frees every tensor it allocates; the models and the dataset stay the caller's.
 */
export async function evaluateEnsemble(
  models: readonly TeacherModel[],
  data: Dataset,
  options: EvaluateEnsembleOptions = {},
): Promise<EnsembleEvaluation> {
  if (models.length === 0) throw new DistilleryError('models: expected at least one model', 'models');
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DistilleryError(`batchSize: expected a positive integer, got ${batchSize}`, 'batchSize');
  }
  const views = models.map((model, k) => viewOfTeacher({ name: `models[${k}]`, model }, [], silent, `models[${k}]`));
  const first = views[0] as TeacherView;
  for (const view of views) {
    if (view.numClasses !== first.numClasses) {
      throw new DistilleryError(
        `${view.role} predicts ${view.numClasses} classes but ${first.role} predicts ${first.numClasses}`,
      );
    }
  }

  // Each member's logits, then the figures from them: the one formula for a pass and for logits kept from one.
  const logits = [];
  for (const model of models) logits.push(await inferLogits(model, data, batchSize));
  return evaluateEnsembleLogits(logits, batchSize);
}
