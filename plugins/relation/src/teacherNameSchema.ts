import * as z from 'zod';

/** The `teacher` option of a relation strategy: a teacher's name, the experiment's first by default. */
export const teacherNameSchema = z
  .string({ error: 'expected a teacher name' })
  .min(1, { error: 'expected a teacher name' })
  .optional()
  .describe("the teacher whose relations the student follows; default: the experiment's first teacher");
