import { trainingOptionsSchema } from '@distillery/core';
import * as z from 'zod';

/** Training options of one model's training, plus data augmentation for it. */
export const stageTrainingSchema = trainingOptionsSchema.extend({
  /**
   * Random augmentation of the training images, applied in a fixed order: crop, flip, cutout, shift.
   * The CIFAR recipe of He et al. (2016) is `{ crop: { padding: 4 }, flip: true }`.
   */
  augment: z
    .strictObject({
      /** Random shifts of up to `shift` pixels in x and y (Hinton 2015 jittered the teacher's inputs by 2). */
      shift: z.number().int().min(0).max(4).default(0),
      /** Pad `padding` black pixels on every side, then crop back to the image size at a random offset. */
      crop: z.strictObject({ padding: z.number().int().min(1).default(4) }).optional(),
      /** Mirror each image left to right with probability ½. */
      flip: z.boolean().default(false),
      /** Cutout (DeVries & Taylor 2017): one black `size` × `size` square per image (16 on CIFAR-10, 8 on CIFAR-100). */
      cutout: z.strictObject({ size: z.number().int().min(1) }).optional(),
    })
    .optional(),
});
