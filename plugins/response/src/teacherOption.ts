import * as z from 'zod';

/** The `teacher` option of the single-teacher response strategies: a teacher's name, the experiment's first by default. */
export const teacherOption = z
  .string({ error: 'expected a teacher name' })
  .min(1, { error: 'expected a teacher name' })
  .optional()
  .describe("the teacher to learn from; default: the experiment's first teacher");
