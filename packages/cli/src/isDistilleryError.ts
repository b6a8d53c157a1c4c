import type { DistilleryError } from '@distillery/core';

/**
 * Whether an error is a user error to print as one line. Checked by name, not `instanceof`: a plugin
 * can bring its own copy of @distillery/core (installed beside the config, or loaded outside a
 * bundler's module graph), and its DistilleryError is then another class with the same name.
 */
export function isDistilleryError(error: unknown): error is DistilleryError {
  return error instanceof Error && error.name === 'DistilleryError';
}
