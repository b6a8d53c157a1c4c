/**
 * `fit` stopped at the user's request (`Distiller.interrupt`, Ctrl-C in the CLI) with its state kept:
 * not a failure, so front ends report it and exit with 130 rather than print an error.
 */
export class TrainingInterrupted extends Error {
  override readonly name = 'TrainingInterrupted';

  /** Recognised by name, as DistilleryError is, so a plugin's own copy of core still matches. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'TrainingInterrupted';
  }
}
