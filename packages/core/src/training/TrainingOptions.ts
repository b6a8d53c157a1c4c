import type * as z from 'zod';
import type { trainingOptionsSchema } from './trainingOptionsSchema.js';

/** DI token for the validated training options of an experiment. */
export const TrainingOptions = Symbol.for('@distillery/core/TrainingOptions');

export type TrainingOptions = z.output<typeof trainingOptionsSchema>;
export type TrainingOptionsInput = z.input<typeof trainingOptionsSchema>;
export type OptimizerOptions = TrainingOptions['optimizer'];
export type ScheduleOptions = TrainingOptions['schedule'];
export type TeacherCacheOptions = TrainingOptions['teacherCache'];
