import type { Dataset } from '../data/Dataset.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import { viewOfTeacher } from '../models/viewOfTeacher.js';
import { inferBatches } from './inferBatches.js';

/** A model's logits on every example of a dataset, in order, with the labels: what evaluations are computed from. */
export interface DatasetLogits {
  /** [examples × classes], row-major. */
  readonly logits: Float32Array;
  readonly labels: Int32Array;
  readonly classes: number;
}

const silent = { info() {}, warn() {} };

/**
 * `model`'s logits on `data` (a LayersModel's or a model's only run forward), unaugmented and in order, in inference mode, `batchSize` examples a pass (a model
 * ending in a softmax gives log-probabilities, as the kernel reads it). Computed once, they serve every figure taken
 * from them — the model's accuracy, and an ensemble's with other models — and a frozen model's can be kept for later
 * runs. Frees every tensor it allocates.
 */
export async function inferLogits(model: TeacherModel, data: Dataset, batchSize = 128): Promise<DatasetLogits> {
  const view = viewOfTeacher({ name: 'model', model }, [], silent, 'model');
  const classes = view.numClasses;
  const logits = new Float32Array(data.size * classes);
  const labels = new Int32Array(data.size);
  const examples = await inferBatches(
    data,
    batchSize,
    async (batch) => [(await view.predict(batch.inputs)).logits],
    ([values], batchLabels, offset) => {
      logits.set(values as Float32Array, offset * classes);
      labels.set(batchLabels, offset);
    },
  );
  return { logits: logits.subarray(0, examples * classes), labels: labels.subarray(0, examples), classes };
}
