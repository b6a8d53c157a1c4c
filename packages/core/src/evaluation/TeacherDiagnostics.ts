import type { TeacherFlag } from './TeacherFlag.js';

/** How good and how alike the teachers are, measured on held-out data before training. */
export interface TeacherDiagnostics {
  readonly examples: number;
  /** Per teacher: accuracy and expected calibration error (15 bins) of its softmax. */
  readonly teachers: Readonly<Record<string, { readonly accuracy: number; readonly expectedCalibrationError: number }>>;
  /** agreement[a][b]: fraction of examples on which teachers a and b predict the same class. */
  readonly agreement: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * Accuracy of each ensemble: `mean-probs` (the average of the teachers' softmax, Hinton 2015), and the
   * ensemble of every strategy that combines teachers, under its term name.
   */
  readonly ensembles: Readonly<Record<string, number>>;
  /**
   * The teachers that look unreliable beside the others (far less accurate than the best, or much worse
   * calibrated than the rest): see {@link flagUnreliableTeachers}. Empty with fewer than two teachers.
   */
  readonly flags: readonly TeacherFlag[];
}
