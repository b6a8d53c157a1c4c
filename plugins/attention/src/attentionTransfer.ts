import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
  type SymbolicShape,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { attentionTransferLoss } from './attentionTransferLoss.js';
import { describeResizeProblem } from './describeResizeProblem.js';
import { matchSpatialSize } from './matchSpatialSize.js';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  /** Default: the experiment's first teacher. */
  teacher: z.string({ error: 'expected a teacher name' }).optional(),
  pairs: z
    .array(z.strictObject({ student: layerName, teacher: layerName }), {
      error: "expected an array of { student: '<layer>', teacher: '<layer>' } layer pairs",
    })
    .min(1, { error: "expected at least one { student: '<layer>', teacher: '<layer>' } layer pair" }),
  p: z
    .number({ error: 'expected a number ≥ 1' })
    .min(1, { error: 'expected a number ≥ 1 (below 1, |A|^p has an infinite slope at zero activations)' })
    .default(2),
  /** The paper's β; the loss is β/2 · Σ at_loss, so the spec weight stays 1. */
  beta: z.number({ error: 'expected a finite number ≥ 0' }).min(0, { error: 'expected a finite number ≥ 0' }).default(1000),
  resize: z.enum(['avgpool', 'bilinear'], { error: "expected 'avgpool' or 'bilinear'" }).default('avgpool'),
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
  description:
    'attention transfer: match normalized spatial attention maps at layer pairs; options: teacher, pairs, p, beta, resize',
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
        // Checked here, before training, so a wrong layer choice fails at once instead of on the first batch.
        pairs.forEach((pair, i) => {
          const studentShape = shapes.student[pair.student];
          const teacherShape = shapes.teachers[teacher]?.[pair.teacher];
          const studentSize = spatialSize(studentShape, `${path}.pairs[${i}].student`, `student layer '${pair.student}'`);
          const teacherSize = spatialSize(teacherShape, `${path}.pairs[${i}].teacher`, `teacher layer '${pair.teacher}'`);
          if (studentSize === undefined || teacherSize === undefined) return;
          const problem = describeResizeProblem(studentSize, teacherSize, resize);
          if (problem !== undefined) throw new DistilleryError(`${path}.pairs[${i}]: ${problem}`, `${path}.pairs[${i}]`);
        });
      },
      loss: (batch) =>
        tf.tidy(() => {
          const { student } = batch;
          const outputs = findTeacherOutputs(batch, teacher, 'attention.at');
          const terms = pairs.map((pair) => {
            const studentFeature = tappedFeature(student.features, pair.student, 'student');
            const teacherFeature = tappedFeature(outputs.features, pair.teacher, `teacher '${teacher}'`);
            const [studentMatched, teacherMatched] = matchSpatialSize(studentFeature, teacherFeature, resize);
            return attentionTransferLoss(studentMatched, teacherMatched, { p });
          });
          return tf.mul(tf.addN(terms), beta / 2) as tf.Scalar;
        }),
    };
  },
};

/** [H, W] of an NHWC layer output, or `undefined` when the model leaves them open (fully convolutional). */
function spatialSize(shape: SymbolicShape | undefined, field: string, what: string): [number, number] | undefined {
  if (shape === undefined) throw new DistilleryError(`${field}: ${what} was not tapped`, field);
  if (shape.length !== 4) {
    const shown = shape.map((dimension) => dimension ?? 'B').join(', ');
    throw new DistilleryError(`${field}: ${what} outputs [${shown}]; attention maps need NHWC feature maps [B, H, W, C]`, field);
  }
  const [, height, width] = shape;
  return typeof height === 'number' && typeof width === 'number' ? [height, width] : undefined;
}

function tappedFeature(features: Readonly<Record<string, tf.Tensor>>, layer: string, role: string): tf.Tensor {
  const feature = features[layer];
  if (feature === undefined) throw new DistilleryError(`attention.at: the ${role} outputs have no tapped layer '${layer}'`);
  return feature;
}
