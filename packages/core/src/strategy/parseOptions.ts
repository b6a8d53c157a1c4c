import type * as z from 'zod';
import { DistilleryError } from '../errors/DistilleryError.js';
import { describeZodIssue } from '../errors/describeZodIssue.js';

/**
 * Validates untrusted config data against a zod schema. On failure throws a one-line
 * {@link DistilleryError} for the first problem, prefixed with `path` (`strategies[0].options.temperature: …`).
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new DistilleryError(`${path}: invalid`, path);
  const { field, message } = describeZodIssue(issue, path);
  throw new DistilleryError(`${field}: ${message}`, field);
}
