import * as tf from '@tensorflow/tfjs-core';
import { CalibrationBins } from './CalibrationBins.js';
import type { Dataset } from './Dataset.js';
import type { EvaluationMetrics } from './EvaluationMetrics.js';
import type { ModelView } from './ModelView.js';
import type { ObjectiveTerm } from './ObjectiveTerm.js';
import type { Teacher } from './Teacher.js';
import type { TeacherDiagnostics } from './TeacherDiagnostics.js';
import type { TeacherOutputSource } from './TeacherOutputSource.js';

/**
 * Measures a distillation in inference mode: the student on a dataset (loss, accuracy, agreement with
 * each teacher) and, before training, the teachers themselves (accuracy, calibration, agreement, and
 * their ensembles). Teachers are frozen, so their predictions on a dataset are computed once and kept.
 */
export class Evaluation {
  private readonly teacherPredictions = new WeakMap<Dataset, Int32Array[]>();

  constructor(
    /** The student with no taps, so evaluation builds none of the strategies' features. */
    private readonly evaluationView: ModelView,
    private readonly teachers: readonly Teacher[],
    private readonly teacherViews: readonly ModelView[],
    private readonly teacherOutputs: TeacherOutputSource,
    /** The strategies, for those that combine teachers their own way (`combineTeachers`). */
    private readonly terms: readonly ObjectiveTerm[],
    private readonly batchSize: number,
  ) {}

  /** Student loss, accuracy and agreement with each teacher on `data`, in inference mode. */
  async evaluate(data: Dataset): Promise<EvaluationMetrics> {
    const teacherPredictions = await this.teacherPredictionsOn(data);
    let lossSum = 0;
    let correct = 0;
    const agreeing = new Float64Array(this.teachers.length);
    let offset = 0;
    for (const batch of data.batches({ batchSize: this.batchSize, shuffle: false, seed: 0, epoch: 0 })) {
      const [loss, predictions] = tf.tidy(() => {
        const { logits } = this.evaluationView.apply(batch.inputs, false);
        const targets = tf.oneHot(batch.labels, logits.shape[1]);
        return [tf.losses.softmaxCrossEntropy(targets, logits, undefined, 0, tf.Reduction.SUM), tf.argMax(logits, 1)];
      });
      const [lossValue, predicted, labels] = await Promise.all([loss.data(), predictions.data(), batch.labels.data()]);
      tf.dispose([loss, predictions, batch.inputs, batch.labels]);
      lossSum += lossValue[0] as number;
      for (let i = 0; i < predicted.length; i++) {
        if (predicted[i] === labels[i]) correct++;
        teacherPredictions.forEach((teacher, k) => {
          if (teacher[offset + i] === predicted[i]) agreeing[k] = (agreeing[k] as number) + 1;
        });
      }
      offset += predicted.length;
    }
    const n = Math.max(1, offset);
    return {
      loss: lossSum / n,
      accuracy: correct / n,
      agreement: Object.fromEntries(this.teachers.map((teacher, k) => [teacher.name, (agreeing[k] as number) / n])),
    };
  }

  /**
   * Each teacher's accuracy and calibration, how often teachers agree, and the accuracy of their
   * ensembles (mean of probabilities, and each strategy's own combination), on `data`.
   */
  async diagnoseTeachers(data: Dataset): Promise<TeacherDiagnostics> {
    const names = this.teachers.map((teacher) => teacher.name);
    const combining = this.terms.filter(({ strategy }) => strategy.combineTeachers !== undefined);
    const ensembleNames = ['mean-probs', ...combining.map(({ name }) => name)];
    const correct = new Float64Array(names.length);
    const calibration = names.map(() => new CalibrationBins());
    const agreeing = names.map(() => new Float64Array(names.length));
    const ensembleCorrect = new Float64Array(ensembleNames.length);
    let examples = 0;
    for (const batch of data.batches({ batchSize: this.batchSize, shuffle: false, seed: 0, epoch: 0 })) {
      const tensors = tf.tidy(() => {
        const outputs = this.teacherOutputs.compute(batch);
        const probabilities = outputs.map(({ logits }) => tf.softmax(logits));
        const ensembles = [
          tf.div(tf.addN(probabilities), probabilities.length) as tf.Tensor2D,
          ...combining.map(({ strategy }) => strategy.combineTeachers?.(outputs, batch.labels) as tf.Tensor2D),
        ];
        return [
          ...probabilities.map((p) => tf.max(p, 1)),
          ...probabilities.map((p) => tf.argMax(p, 1)),
          ...ensembles.map((p) => tf.argMax(p, 1)),
        ];
      });
      const [labels, ...values] = await Promise.all([batch.labels.data(), ...tensors.map((tensor) => tensor.data())]);
      tf.dispose([...tensors, batch.inputs, batch.labels]);
      const confidences = values.slice(0, names.length);
      const predictions = values.slice(names.length, 2 * names.length);
      const ensemblePredictions = values.slice(2 * names.length);
      for (let i = 0; i < labels.length; i++) {
        predictions.forEach((predicted, a) => {
          const right = predicted[i] === labels[i];
          if (right) correct[a] = (correct[a] as number) + 1;
          calibration[a]?.add(confidences[a]?.[i] as number, right);
          predictions.forEach((other, b) => {
            if (other[i] === predicted[i]) (agreeing[a] as Float64Array)[b] = ((agreeing[a] as Float64Array)[b] as number) + 1;
          });
        });
        ensemblePredictions.forEach((predicted, e) => {
          if (predicted[i] === labels[i]) ensembleCorrect[e] = (ensembleCorrect[e] as number) + 1;
        });
      }
      examples += labels.length;
    }
    const n = Math.max(1, examples);
    return {
      examples,
      teachers: Object.fromEntries(
        names.map((name, a) => [
          name,
          { accuracy: (correct[a] as number) / n, expectedCalibrationError: calibration[a]?.expectedCalibrationError() ?? 0 },
        ]),
      ),
      agreement: Object.fromEntries(
        names.map((name, a) => [name, Object.fromEntries(names.map((other, b) => [other, (agreeing[a]?.[b] as number) / n]))]),
      ),
      ensembles: Object.fromEntries(ensembleNames.map((name, e) => [name, (ensembleCorrect[e] as number) / n])),
    };
  }

  private async teacherPredictionsOn(data: Dataset): Promise<Int32Array[]> {
    const cached = this.teacherPredictions.get(data);
    if (cached !== undefined) return cached;
    const predictions = this.teachers.map(() => new Int32Array(data.size));
    let offset = 0;
    for (const batch of data.batches({ batchSize: this.batchSize, shuffle: false, seed: 0, epoch: 0 })) {
      const argMaxes = tf.tidy(() => this.teacherViews.map((view) => tf.argMax(view.apply(batch.inputs, false).logits, 1)));
      const values = await Promise.all(argMaxes.map((tensor) => tensor.data()));
      tf.dispose([...argMaxes, batch.inputs, batch.labels]);
      values.forEach((value, k) => {
        predictions[k]?.set(value as Int32Array, offset);
      });
      offset += batch.labels.shape[0];
    }
    this.teacherPredictions.set(data, predictions);
    return predictions;
  }
}
