import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from './Dataset.js';
import { DistilleryError } from './DistilleryError.js';
import type { EnsembleEvaluation } from './EnsembleEvaluation.js';
import { ensembleLogProbabilities } from './ensembleLogProbabilities.js';
import { ModelView } from './ModelView.js';

export interface EvaluateEnsembleOptions {
  /** Examples per forward pass. Default 128. */
  readonly batchSize?: number;
}

const silent = { info() {}, warn() {} };

/**
 * Accuracy and mean cross-entropy, on `data`, of the ensemble that averages the models' softmax outputs
 * (Hinton 2015's ensemble; born-again networks' BANE, Furlanello et al. 2018). A single model is scored alone:
 * p̄ = (1/K) Σ_k softmax(z_k), accuracy = (1/N) Σ_n [argmax_c p̄_{n,c} = y_n], loss = −(1/N) Σ_n log p̄_{n, y_n}.
 * The models run in inference mode; a model ending in a softmax is read as log(p), as the kernel does.
 * Frees every tensor it allocates; the models and the dataset stay the caller's.
 */
export async function evaluateEnsemble(
  models: readonly tfl.LayersModel[],
  data: Dataset,
  options: EvaluateEnsembleOptions = {},
): Promise<EnsembleEvaluation> {
  if (models.length === 0) throw new DistilleryError('models: expected at least one model', 'models');
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DistilleryError(`batchSize: expected a positive integer, got ${batchSize}`, 'batchSize');
  }
  const views = models.map((model, k) => new ModelView(`models[${k}]`, model, [], silent));
  const first = views[0] as ModelView;
  for (const view of views) {
    if (view.numClasses !== first.numClasses) {
      throw new DistilleryError(
        `${view.role} predicts ${view.numClasses} classes but ${first.role} predicts ${first.numClasses}`,
      );
    }
  }

  let lossSum = 0;
  let correct = 0;
  let examples = 0;
  for (const batch of data.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
    let computed: tf.Tensor[] = [];
    try {
      computed = tf.tidy(() => {
        const logProbabilities = ensembleLogProbabilities(views.map((view) => view.apply(batch.inputs, false).logits));
        const targets = tf.oneHot(batch.labels, first.numClasses);
        return [tf.neg(tf.sum(tf.mul(targets, logProbabilities))), tf.argMax(logProbabilities, 1)];
      });
      const [lossValue, predicted, labels] = await Promise.all([...computed.map((tensor) => tensor.data()), batch.labels.data()]);
      lossSum += (lossValue as tf.TypedArray)[0] as number;
      for (let i = 0; i < (labels as tf.TypedArray).length; i++) {
        if ((predicted as tf.TypedArray)[i] === (labels as tf.TypedArray)[i]) correct++;
      }
      examples += (labels as tf.TypedArray).length;
    } finally {
      tf.dispose([...computed, batch.inputs, batch.labels]);
    }
  }
  const n = Math.max(1, examples);
  return { accuracy: correct / n, loss: lossSum / n, examples };
}
