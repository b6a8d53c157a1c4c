import * as z from 'zod';

/**
 * The `teachers` option of the logit-level `multi.*` strategies (`multi.kd`, `multi.dkd`): the teachers to learn
 * from, in the order `weights` refers to; left out, every teacher of the experiment (see `resolveTeacherNames`).
 */
export const teacherNamesSchema = z
  .array(z.string({ error: 'expected a teacher name' }).min(1, { error: 'expected a teacher name' }), {
    error: 'expected an array of teacher names',
  })
  .min(1, { error: 'expected at least one teacher name' })
  .optional()
  .describe('names of the teachers to learn from, in the order weights refers to; default: every teacher');
