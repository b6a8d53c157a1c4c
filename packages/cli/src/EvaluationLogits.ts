import { type Dataset, type DatasetLogits, inferLogits, type TeacherModel } from '@distillery/core';
import {
  sha256Hex,
  type TeacherOutputLayout,
  type TeacherOutputStoreFactory,
  teacherFingerprint,
  viewOfTeacher,
} from '@distillery/core/internal';

const silent = { info() {}, warn() {} };

/**
 * Each model's logits on an evaluation set, computed once per run and shared by every figure taken from them — the
 * model's accuracy and an ensemble's — and, for models that `keep` says are frozen (teachers), kept in the teacher
 * caches' store under the model's fingerprint and the dataset's id: every run of a study evaluates the same teachers
 * on the same test and validation sets, and a multi-teacher run evaluated each teacher twice (alone and in the
 * ensemble), which cost minutes a run on CIFAR. Read back, the logits are the computed ones bit for bit.
 */
export class EvaluationLogits {
  private readonly computed = new Map<TeacherModel, Map<Dataset, Promise<DatasetLogits>>>();

  constructor(private readonly stores: TeacherOutputStoreFactory) {}

  /** `model`'s logits on `data`; `keep`: the model is frozen, so its logits may be kept for later runs. */
  of(model: TeacherModel, data: Dataset, keep: boolean): Promise<DatasetLogits> {
    const byData = this.computed.get(model) ?? new Map<Dataset, Promise<DatasetLogits>>();
    this.computed.set(model, byData);
    const known = byData.get(data);
    if (known !== undefined) return known;
    const logits = keep && data.id !== undefined ? this.kept(model, data) : inferLogits(model, data);
    byData.set(data, logits);
    return logits;
  }

  private async kept(model: TeacherModel, data: Dataset): Promise<DatasetLogits> {
    const classes = viewOfTeacher({ name: 'model', model }, [], silent).numClasses;
    const key = await sha256Hex(
      JSON.stringify({
        kind: 'evaluation logits',
        dataset: data.id,
        examples: data.size,
        model: await teacherFingerprint(model),
      }),
    );
    const layout: TeacherOutputLayout = {
      key,
      examples: data.size,
      entries: [
        { name: 'logits', shape: [classes] },
        { name: 'labels', shape: [1] },
      ],
      precision: 'float32',
    };
    const rows = Int32Array.from({ length: data.size }, (_, row) => row);
    const found = await this.stores.find(layout);
    if (found !== undefined) {
      try {
        const logits = new Float32Array(data.size * classes);
        const labels = new Float32Array(data.size);
        found.read(0, rows, logits);
        found.read(1, rows, labels);
        return { logits, labels: Int32Array.from(labels), classes };
      } finally {
        await found.close();
      }
    }
    const computed = await inferLogits(model, data);
    const store = await this.stores.create(layout);
    try {
      store.write(0, rows, computed.logits);
      store.write(1, rows, Float32Array.from(computed.labels));
      await store.finish();
    } finally {
      await store.close();
    }
    return computed;
  }
}
