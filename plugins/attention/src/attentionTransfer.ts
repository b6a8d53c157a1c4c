import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { attentionOptionFields } from './attentionOptionFields.js';
import { attentionTransferLoss } from './attentionTransferLoss.js';
import { checkAttentionPair } from './checkAttentionPair.js';
import { matchSpatialSize } from './matchSpatialSize.js';
import { tappedFeature } from './tappedFeature.js';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose attention maps are matched; default: the experiment's first teacher"),
  pairs: z
    .array(z.strictObject({ student: layerName.describe('student layer'), teacher: layerName.describe('teacher layer') }), {
      error: "expected an array of { student: '<layer>', teacher: '<layer>' } layer pairs",
    })
    .min(1, { error: "expected at least one { student: '<layer>', teacher: '<layer>' } layer pair" })
    .describe('student layer → teacher layer pairs whose attention maps are matched (NHWC feature maps)'),
  ...attentionOptionFields,
});

/**
 * `attention.at`: attention transfer (Zagoruyko & Komodakis 2017, "Paying More Attention to Attention", ICLR,
 * eq. 2; reference code szagoruyko/attention-transfer `utils.py`), matching the student's spatial attention
 * maps to one teacher's at each listed layer pair:
 *
 *   loss = (β / 2) · Σ_pairs mean_{b,j} ( at(S)_{b,j} − at(T)_{b,j} )²,   at(A) = normalize(mean_c |A|^p)
 *
 * β = 1000 and p = 2 by default, as in the reference code (`β/2 · Σ at_loss` = `at_loss(...) * 500`). The
 * paper's weight is folded into `beta`, so the term's spec weight is normally left at 1. Layers of different
 * H×W are brought to one size first by reducing the larger map (option `resize`). Owns no variables.
 */
export const attentionTransfer: StrategyFactory = {
  key: 'attention.at',
  description: 'attention transfer: match normalized spatial attention maps at layer pairs',
  optionsSchema,
  paper:
    'Zagoruyko, Komodakis 2017, "Paying More Attention to Attention: Improving the Performance of Convolutional Neural Networks via Attention Transfer", ICLR',
  create(options, context): DistillationStrategy {
    const { teacher: requested, pairs, p, beta, resize } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, 'attention.at', context);
    const path = context.path;
    return {
      key: 'attention.at',
      taps: {
        student: [...new Set(pairs.map((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacher))] },
      },
      build(shapes: TapShapes) {
        pairs.forEach((pair, i) => {
          const where = `${path}.pairs[${i}]`;
          checkAttentionPair(
            where,
            { shape: shapes.student[pair.student], field: `${where}.student`, what: `student layer '${pair.student}'` },
            {
              shape: shapes.teachers[teacher]?.[pair.teacher],
              field: `${where}.teacher`,
              what: `teacher layer '${pair.teacher}'`,
            },
            resize,
          );
        });
      },
      loss: (batch) =>
        tf.tidy(() => {
          const { student } = batch;
          const outputs = findTeacherOutputs(batch, teacher, 'attention.at');
          const terms = pairs.map((pair) => {
            const studentFeature = tappedFeature(student.features, pair.student, 'student', 'attention.at');
            const teacherFeature = tappedFeature(outputs.features, pair.teacher, `teacher '${teacher}'`, 'attention.at');
            const [studentMatched, teacherMatched] = matchSpatialSize(studentFeature, teacherFeature, resize);
            return attentionTransferLoss(studentMatched, teacherMatched, { p });
          });
          return tf.mul(tf.addN(terms), beta / 2) as tf.Scalar;
        }),
    };
  },
};
