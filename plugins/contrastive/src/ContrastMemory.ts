import { stopGradient } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ContrastMemoryOptions } from './ContrastMemoryOptions.js';
import { contrastScores } from './contrastScores.js';
import { momentumUpdate } from './momentumUpdate.js';
import { writeRows } from './writeRows.js';

/**
 * CRD's two memory banks and normalisation constants (RepDistiller's `ContrastMemory`): one row per training
 * example of the student's embeddings (`studentMemory`, the reference's `memory_v1`) and of the teacher's
 * (`teacherMemory`, `memory_v2`), and Z for each side (`normalizers`, [Z_student, Z_teacher]; 0 until set).
 * All three are untrained state variables: the strategy hands them to the kernel, which checkpoints them.
 *
 * Memory: 2 · N · D · 4 bytes, 48.8 MiB for N = 50,000 and D = 128. Rows start as the reference's,
 * U(−s, s) with s = 1/√(D/3), which gives them an expected squared norm of 1.
 */
export class ContrastMemory {
  readonly size: number;
  readonly studentMemory: tf.Variable;
  readonly teacherMemory: tf.Variable;
  readonly normalizers: tf.Variable;
  /** Whether `normalizers` is known to hold both constants; reset by `recheck`, since a checkpoint may be restored into it. */
  private normalizersSet = false;

  constructor(options: ContrastMemoryOptions) {
    const { size, featureDim, seed, variableName } = options;
    this.size = size;
    const bound = 1 / Math.sqrt(featureDim / 3);
    const rows = (side: string) =>
      tf.variable(
        tf.randomUniform([size, featureDim], -bound, bound, 'float32', `${seed}/${side}`),
        false,
        variableName(`memory/${side}`),
      );
    [this.studentMemory, this.teacherMemory, this.normalizers] = tf.tidy(() => [
      rows('student'),
      rows('teacher'),
      tf.variable(tf.zeros([2]), false, variableName('memory/normalizers')),
    ]);
  }

  /** The state variables, in checkpoint order: the student's memory, the teacher's, then [Z_student, Z_teacher]. */
  state(): readonly tf.Variable[] {
    return [this.studentMemory, this.teacherMemory, this.normalizers];
  }

  /** Forgets whether Z is set; call when a `fit` starts, before the kernel may restore a checkpoint. */
  recheck(): void {
    this.normalizersSet = false;
  }

  /**
   * The normalised scores P = exp(v·m/τ) / Z [B, K+1] at the drawn rows (see `drawNegatives`): `student` for the
   * student's embeddings against the teacher's memory, `teacher` for the teacher's against the student's. Before Z
   * is set (the kernel's backend probe), each side uses this batch's own value, mean(exp(v·m/τ))·N, as the
   * reference does on its first step, without storing it; Z is a constant either way, never differentiated.
   */
  scores(
    student: tf.Tensor2D,
    teacher: tf.Tensor2D,
    drawn: Int32Array,
    temperature: number,
  ): { readonly student: tf.Tensor2D; readonly teacher: tf.Tensor2D } {
    return tf.tidy(() => {
      const raw = this.rawScores(student, teacher, drawn, temperature);
      const stored = this.normalizers as tf.Tensor1D;
      const normalizers = tf.where(tf.greater(stored, 0), stored, stopGradient(this.batchNormalizers(raw)));
      const [studentZ, teacherZ] = tf.unstack(normalizers);
      return { student: tf.div(raw.student, studentZ as tf.Scalar), teacher: tf.div(raw.teacher, teacherZ as tf.Scalar) };
    });
  }

  /**
   * After a training step's loss: sets Z from this batch where it is not set yet (RepDistiller sets it on its first
   * forward pass), then moves the rows at `indices` (distinct, in [0, N)) towards this step's embeddings with
   * {@link momentumUpdate}. `drawn` is asked for only when Z is set here, and must give the draws the loss used.
   * Reads Z back (a two-number sync) only until it finds it set, once per `fit`.
   */
  update(
    student: tf.Tensor2D,
    teacher: tf.Tensor2D,
    indices: Int32Array,
    drawn: () => Int32Array,
    options: { readonly temperature: number; readonly momentum: number },
  ): void {
    tf.tidy(() => {
      if (!this.normalizersSet) {
        const [studentZ, teacherZ] = this.normalizers.dataSync();
        if (!((studentZ as number) > 0 && (teacherZ as number) > 0)) {
          const batch = this.batchNormalizers(this.rawScores(student, teacher, drawn(), options.temperature));
          const stored = this.normalizers as tf.Tensor1D;
          this.normalizers.assign(tf.where(tf.greater(stored, 0), stored, batch));
        }
        this.normalizersSet = true;
      }
      const at = tf.tensor1d(indices, 'int32');
      for (const [memory, embeddings] of [
        [this.studentMemory, student],
        [this.teacherMemory, teacher],
      ] as const) {
        const rows = momentumUpdate(tf.gather(memory, at) as tf.Tensor2D, embeddings, options.momentum);
        memory.assign(writeRows(memory as tf.Tensor2D, indices, rows));
      }
    });
  }

  dispose(): void {
    tf.dispose([this.studentMemory, this.teacherMemory, this.normalizers]);
  }

  private rawScores(student: tf.Tensor2D, teacher: tf.Tensor2D, drawn: Int32Array, temperature: number) {
    return {
      student: contrastScores(student, this.teacherMemory as tf.Tensor2D, drawn, temperature),
      teacher: contrastScores(teacher, this.studentMemory as tf.Tensor2D, drawn, temperature),
    };
  }

  /** [Z_student, Z_teacher] of this batch: the mean score over every drawn entry, times N. */
  private batchNormalizers(raw: { student: tf.Tensor2D; teacher: tf.Tensor2D }): tf.Tensor1D {
    return tf.mul(tf.stack([tf.mean(raw.student), tf.mean(raw.teacher)]), this.size) as tf.Tensor1D;
  }
}
