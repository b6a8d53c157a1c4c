import {
  type DistillationStrategy,
  DistilleryError,
  parseOptions,
  resizeBilinearHalfPixel,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { describeTapShape } from './describeTapShape.js';
import { nstLoss } from './nstLoss.js';
import { pairRelationStrategy } from './pairRelationStrategy.js';
import { relationPairsSchema } from './relationPairsSchema.js';
import { teacherNameSchema } from './teacherNameSchema.js';

const key = 'relation.nst';
const optionsSchema = z.strictObject({
  teacher: teacherNameSchema,
  pairs: relationPairsSchema.unwrap().describe('student feature map → teacher feature map (NHWC); H×W may differ'),
});

/**
 * `relation.nst`: neuron selectivity transfer, the polynomial-kernel MMD² between the student's and the teacher's
 * channel maps, averaged over the pairs (see {@link nstLoss}). A student map of another H×W is first resized to the
 * teacher's bilinearly (half-pixel centres, with its gradient), where RepDistiller pools the larger map down.
 * Channel counts may differ. RepDistiller weighs it 50 beside CE on the output of each stage and sums the stages,
 * where this strategy averages its pairs: weight 50 · N reproduces it for N pairs.
 */
export const nstStrategyFactory: StrategyFactory = {
  key,
  description: 'NST (Huang & Wang 2017): MMD between the student’s and teacher’s channel-map distributions',
  optionsSchema,
  paper: 'Huang, Wang 2017, "Like What You Like: Knowledge Distill via Neuron Selectivity Transfer", arXiv:1707.01219',
  create(options, context): DistillationStrategy {
    const { teacher: requested, pairs } = parseOptions(optionsSchema, options, context.path);
    return pairRelationStrategy({
      key,
      context,
      teacher: resolveTeacherName(requested, key, context),
      pairs,
      checkShapes: (student, teacher, where) => {
        if (student.length !== 4 || teacher.length !== 4) {
          throw new DistilleryError(
            `${where}: NST compares feature maps [B, H, W, C]; got student ${describeTapShape(student)} and teacher ${describeTapShape(teacher)}`,
            where,
          );
        }
      },
      termsOf: (student, teacher) => ({ nst: nstLoss(matchSize(student, teacher), teacher) }),
      totalOf: ({ nst }) => nst as tf.Scalar,
    });
  },
};

function matchSize(student: tf.Tensor, teacher: tf.Tensor): tf.Tensor {
  const [height, width] = [teacher.shape[1] as number, teacher.shape[2] as number];
  if (student.shape[1] === height && student.shape[2] === width) return student;
  return resizeBilinearHalfPixel(student as tf.Tensor4D, [height, width]);
}
