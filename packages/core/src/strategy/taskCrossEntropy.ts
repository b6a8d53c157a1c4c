import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import type { DistillationStrategy } from './DistillationStrategy.js';
import { parseOptions } from './parseOptions.js';
import type { StrategyFactory } from './StrategyFactory.js';

const optionsSchema = z.strictObject({
  /**
   * Szegedy et al. 2016: the one-hot target becomes (1 − ε)·onehot + ε/C, as PyTorch's
   * cross_entropy(label_smoothing=ε). ε = 1 would leave no trace of the label, so ε < 1.
   */
  labelSmoothing: z.number().min(0).lt(1).default(0),
});

/**
 * `task.ce`: cross-entropy of the student's softmax against the hard labels, batch mean,
 * CE = -(1/B) Σ_b log softmax(z_s)_{b, y_b}. The usual companion term of every distillation loss.
 */
export const taskCrossEntropy: StrategyFactory = {
  key: 'task.ce',
  description: 'cross-entropy on the hard labels (batch mean)',
  optionsSchema,
  paper:
    'label smoothing: Szegedy, Vanhoucke, Ioffe, Shlens, Wojna 2016, "Rethinking the Inception Architecture for Computer Vision", CVPR',
  create(options, context): DistillationStrategy {
    const { labelSmoothing } = parseOptions(optionsSchema, options, context.path);
    return {
      key: 'task.ce',
      loss: ({ student, labels }) => {
        const numClasses = student.logits.shape[1];
        const targets = tf.oneHot(labels, numClasses);
        return tf.losses.softmaxCrossEntropy(targets, student.logits, undefined, labelSmoothing) as tf.Scalar;
      },
    };
  },
};
