import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * `random`: one teacher per batch, drawn at random (Fukuda et al. 2017, "Efficient Knowledge Distillation
 * from an Ensemble of Teachers", Interspeech: a teacher picked per mini-batch):
 *
 *   k* = ⌊u · K⌋, u ~ U[0, 1) from seedrandom(`${seed}/${step}`);   w_bk = 1 if k = k*, else 0
 *
 * The draw depends only on the experiment's seed and the optimizer step, so a run repeats exactly.
 */
export const randomPolicy: TeacherWeightingPolicy = {
  key: 'random',
  description: 'one teacher per batch (Fukuda et al. 2017), drawn from (seed, step): a one-hot weight row for every example',
  kind: 'weights',
  weights: ({ teacherLogits, seed, step }) => {
    const teacherCount = teacherLogits.length;
    const batchSize = teacherLogits[0]?.shape[0] ?? 0;
    const chosen = Math.min(teacherCount - 1, Math.floor(seedrandom(`${seed}/${step}`)() * teacherCount));
    const row = Array.from({ length: teacherCount }, (_, k) => (k === chosen ? 1 : 0));
    return tf.tidy(() => tf.tile(tf.tensor2d([row]), [batchSize, 1]) as tf.Tensor2D);
  },
  validateOptions: (options) => rejectPolicyOptions('random', options),
};
