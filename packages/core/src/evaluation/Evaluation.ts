import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/Dataset.js';
import type { ModelView } from '../models/ModelView.js';
import type { Teacher } from '../models/Teacher.js';
import type { TeacherView } from '../models/TeacherView.js';
import { disposeTeacherOutputs } from '../teachers/disposeTeacherOutputs.js';
import type { TeacherOutputSource } from '../teachers/TeacherOutputSource.js';
import type { ObjectiveTerm } from '../training/ObjectiveTerm.js';
import { CalibrationBins } from './CalibrationBins.js';
import type { EvaluationMetrics } from './EvaluationMetrics.js';
import { ensembleLogProbabilities } from './ensembleLogProbabilities.js';
import { flagUnreliableTeachers } from './flagUnreliableTeachers.js';
import { inferBatches } from './inferBatches.js';
import type { TeacherDiagnostics } from './TeacherDiagnostics.js';

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
    private readonly teacherViews: readonly TeacherView[],
    private readonly teacherOutputs: TeacherOutputSource,
    /** The strategies, for those that combine teachers their own way (`combineTeachers`). */
    private readonly terms: readonly ObjectiveTerm[],
    private readonly batchSize: number,
    /** Models trained with the student (online distillation), evaluated beside it, without taps. */
    private readonly peers: readonly { readonly name: string; readonly view: ModelView }[] = [],
  ) {}

  /** Student loss, accuracy and agreement with each teacher on `data`, in inference mode. */
  async evaluate(data: Dataset): Promise<EvaluationMetrics> {
    const teacherPredictions = await this.teacherPredictionsOn(data);
    let lossSum = 0;
    let correct = 0;
    const agreeing = new Float64Array(this.teachers.length);
    const peerSums = this.peers.map(() => ({ loss: 0, correct: 0 }));
    const scored = (logits: tf.Tensor2D, labels: tf.Tensor1D) => [
      tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits, undefined, 0, tf.Reduction.SUM),
      tf.argMax(logits, 1),
    ];
    const examples = await inferBatches(
      data,
      this.batchSize,
      (batch) =>
        tf.tidy(() => [
          ...scored(this.evaluationView.apply(batch.inputs, false).logits, batch.labels),
          ...this.peers.flatMap(({ view }) => scored(view.apply(batch.inputs, false).logits, batch.labels)),
        ]),
      ([loss, predicted, ...peerValues], labels, offset) => {
        peerSums.forEach((sums, p) => {
          sums.loss += (peerValues[2 * p] as tf.TypedArray)[0] as number;
          (peerValues[2 * p + 1] as tf.TypedArray).forEach((prediction, i) => {
            if (prediction === labels[i]) sums.correct++;
          });
        });
        lossSum += (loss as tf.TypedArray)[0] as number;
        (predicted as tf.TypedArray).forEach((prediction, i) => {
          if (prediction === labels[i]) correct++;
          teacherPredictions.forEach((teacher, k) => {
            if (teacher[offset + i] === prediction) agreeing[k] = (agreeing[k] as number) + 1;
          });
        });
      },
    );
    const n = Math.max(1, examples);
    return {
      loss: lossSum / n,
      accuracy: correct / n,
      agreement: Object.fromEntries(this.teachers.map((teacher, k) => [teacher.name, (agreeing[k] as number) / n])),
      ...(this.peers.length === 0
        ? {}
        : {
            peers: Object.fromEntries(
              this.peers.map(({ name }, p) => [
                name,
                { loss: (peerSums[p]?.loss ?? 0) / n, accuracy: (peerSums[p]?.correct ?? 0) / n },
              ]),
            ),
          }),
    };
  }

  /**
   * Each teacher's accuracy and calibration, how often teachers agree, the accuracy of their ensembles
   * (mean of probabilities, and each strategy's own combination), and which teachers look unreliable
   * beside the others (flagUnreliableTeachers), on `data`.
   */
  async diagnoseTeachers(data: Dataset): Promise<TeacherDiagnostics> {
    const names = this.teachers.map((teacher) => teacher.name);
    const combining = this.terms.filter(({ strategy }) => strategy.combineTeachers !== undefined);
    const ensembleNames = ['mean-probs', ...combining.map(({ name }) => name)];
    const correct = new Float64Array(names.length);
    const calibration = names.map(() => new CalibrationBins());
    const agreeing = names.map(() => new Float64Array(names.length));
    const ensembleCorrect = new Float64Array(ensembleNames.length);
    const examples = await inferBatches(
      data,
      this.batchSize,
      async (batch) => {
        const outputs = await this.teacherOutputs.compute(batch);
        try {
          return tf.tidy(() => {
            const probabilities = outputs.map(({ logits }) => tf.softmax(logits));
            const ensembles = [
              ensembleLogProbabilities(outputs.map(({ logits }) => logits)),
              ...combining.map(({ strategy }) => strategy.combineTeachers?.(outputs, batch.labels) as tf.Tensor2D),
            ];
            return [
              ...probabilities.map((p) => tf.max(p, 1)),
              ...probabilities.map((p) => tf.argMax(p, 1)),
              ...ensembles.map((p) => tf.argMax(p, 1)),
            ];
          });
        } finally {
          disposeTeacherOutputs(outputs);
        }
      },
      (values, labels) => {
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
      },
    );
    const n = Math.max(1, examples);
    const teachers = Object.fromEntries(
      names.map((name, a) => [
        name,
        { accuracy: (correct[a] as number) / n, expectedCalibrationError: calibration[a]?.expectedCalibrationError() ?? 0 },
      ]),
    );
    return {
      examples,
      teachers,
      agreement: Object.fromEntries(
        names.map((name, a) => [name, Object.fromEntries(names.map((other, b) => [other, (agreeing[a]?.[b] as number) / n]))]),
      ),
      ensembles: Object.fromEntries(ensembleNames.map((name, e) => [name, (ensembleCorrect[e] as number) / n])),
      flags: flagUnreliableTeachers(teachers),
    };
  }

  private async teacherPredictionsOn(data: Dataset): Promise<Int32Array[]> {
    const cached = this.teacherPredictions.get(data);
    if (cached !== undefined) return cached;
    const predictions = this.teachers.map(() => new Int32Array(data.size));
    await inferBatches(
      data,
      this.batchSize,
      async (batch) => {
        const predictions: tf.Tensor[] = [];
        try {
          for (const view of this.teacherViews) {
            const { logits, features } = await view.predict(batch.inputs);
            predictions.push(tf.argMax(logits, 1));
            tf.dispose([logits, ...Object.values(features)]);
          }
        } catch (error) {
          tf.dispose(predictions);
          throw error;
        }
        return predictions;
      },
      (values, _labels, offset) => {
        values.forEach((value, k) => {
          predictions[k]?.set(value as Int32Array, offset);
        });
      },
    );
    this.teacherPredictions.set(data, predictions);
    return predictions;
  }
}
