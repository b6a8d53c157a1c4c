/** A teacher the diagnostics found unreliable beside the others, and why. */
export interface TeacherFlag {
  readonly teacher: string;
  /**
   * One line that names the teacher and gives the figures: `teacher 'noisy' looks unreliable: accuracy
   * 71.2 % is 19.8 points below 'resnet56' (91.0 %); …`. Logged as a warning when the diagnostics run.
   */
  readonly message: string;
}
