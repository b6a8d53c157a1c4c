import { trainingOptionsSchema } from '@distillery/core';
import { z } from 'zod';

/** Training options of one model's training, plus data augmentation for it. */
export const stageTrainingSchema = trainingOptionsSchema.extend({
  /** Random shifts of up to `shift` pixels in x and y (Hinton 2015 jittered the teacher's inputs by 2). */
  augment: z.strictObject({ shift: z.number().int().min(0).max(4).default(0) }).optional(),
});
