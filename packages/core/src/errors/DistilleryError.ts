/**
 * An error caused by what the user gave (config, model files, data shapes), as opposed to a bug.
 * Its message is one line that names the field or file and what was expected, so front ends print
 * `message` alone, without a stack trace.
 */
export class DistilleryError extends Error {
  override readonly name = 'DistilleryError';

  /**
   * Recognised by name, not by class: a plugin may bring its own copy of @distillery/core, whose
   * DistilleryError is another class, and its errors must still read as user errors.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'DistilleryError';
  }

  constructor(
    message: string,
    /** Dotted path of the offending field (`strategies[1].weight`), when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}
