import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  resizeBilinearHalfPixel,
  resolveTeacherName,
  type StrategyFactory,
  type SymbolicShape,
  type TapShapes,
} from '@distillery/core';
import { HintAdapter } from '@distillery/plugin-feature';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { describeTapShape } from './describeTapShape.js';
import { fspLoss } from './fspLoss.js';
import { fspMatrix } from './fspMatrix.js';
import { teacherNameSchema } from './teacherNameSchema.js';

const key = 'relation.fsp';
const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });
const layerPair = z
  .tuple([layerName, layerName], { error: "expected two layer names, ['<first>', '<second>']" })
  .describe('the two layers whose flow the FSP matrix describes, earlier first');
const optionsSchema = z.strictObject({
  teacher: teacherNameSchema,
  pairs: z
    .array(z.strictObject({ student: layerPair, teacher: layerPair }), {
      error: "expected an array of { student: ['<first>', '<second>'], teacher: ['<first>', '<second>'] }",
    })
    .min(1, { error: 'expected at least one pair of layer pairs' })
    .describe("the student's two layers whose FSP matrix follows the teacher's two layers', one entry per matrix"),
});

/**
 * `relation.fsp`: flow of solution procedure (see {@link fspMatrix}, {@link fspLoss}): for each entry, the FSP
 * matrix between two of the student's layers follows the one between two of the teacher's, mean squared difference
 * averaged over the entries. Within a model the second map is resized to the first's H×W (bilinear; RepDistiller
 * pools the larger down). Where a student layer's channel count differs from its teacher layer's, a learned 1×1
 * adapter (plugin-feature's `HintAdapter`) maps it onto the teacher's channels and H×W first; the paper pairs
 * layers of equal widths and needs none. The paper and RepDistiller use FSP to initialise the student before
 * training on the labels: give this term `until: n` and `task.ce` `from: n`.
 */
export const fspStrategyFactory: StrategyFactory = {
  key,
  description: 'FSP (Yim et al. 2017): match the Gram matrices between pairs of layers, the “flow” through the network',
  optionsSchema,
  paper:
    'Yim, Joo, Bae, Kim 2017, "A Gift from Knowledge Distillation: Fast Optimization, Network Minimization and Transfer Learning", CVPR',
  create(options, context): DistillationStrategy {
    const { teacher: requested, pairs } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, key, context);
    /** One slot per layer of every pair: an adapter where the channel counts differ, else nothing. */
    let adapters: (HintAdapter | undefined)[][] = [];
    const dispose = () => {
      for (const adapter of adapters.flat()) adapter?.dispose();
      adapters = [];
    };
    return {
      key,
      taps: {
        student: [...new Set(pairs.flatMap((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.flatMap((pair) => pair.teacher))] },
      },
      build: (shapes: TapShapes) => {
        dispose();
        try {
          for (const [index, pair] of pairs.entries()) {
            // The row joins `adapters` before it is filled, so a failure at the second layer frees the first's adapter.
            const row: (HintAdapter | undefined)[] = [];
            adapters.push(row);
            for (const position of [0, 1]) {
              const where = `${context.path}.pairs[${index}]`;
              const [studentShape, teacherShape] = [
                shapes.student[pair.student[position] as string],
                shapes.teachers[teacher]?.[pair.teacher[position] as string],
              ];
              checkMap(studentShape, `student layer '${pair.student[position]}'`, where);
              checkMap(teacherShape, `teacher layer '${pair.teacher[position]}'`, where);
              row.push(
                studentShape?.[3] === teacherShape?.[3]
                  ? undefined
                  : new HintAdapter({
                      variableName: (local) => context.variableName(`pairs[${index}]/${position}/${local}`),
                      studentShape: studentShape as SymbolicShape,
                      teacherShape: teacherShape as SymbolicShape,
                      seed: `${context.seed}/${key}/${index}/${position}`,
                    }),
              );
            }
          }
        } catch (error) {
          dispose();
          throw error;
        }
      },
      variables: () => adapters.flat().flatMap((adapter) => adapter?.variables() ?? []),
      loss: (batch) =>
        tf.tidy(() => {
          const teacherFeatures = findTeacherOutputs(batch, teacher, key).features;
          const matrices = pairs.map((pair, index) => {
            const studentMaps = pair.student.map((layer, position) => {
              const map = batch.student.features[layer] as tf.Tensor4D;
              return adapters[index]?.[position]?.apply(map) ?? map;
            });
            const teacherMaps = pair.teacher.map((layer) => teacherFeatures[layer] as tf.Tensor4D);
            return { student: flowMatrix(studentMaps), teacher: flowMatrix(teacherMaps) };
          });
          return fspLoss(
            matrices.map((m) => m.student),
            matrices.map((m) => m.teacher),
          );
        }),
      dispose,
    };
  },
};

function checkMap(shape: SymbolicShape | undefined, label: string, where: string): void {
  if (shape === undefined) throw new DistilleryError(`${where}: the kernel gave no shape for ${label}`, where);
  if (shape.length !== 4 || typeof shape[3] !== 'number') {
    throw new DistilleryError(
      `${where}: FSP needs feature maps [B, H, W, C], but ${label} gives ${describeTapShape(shape)}`,
      where,
    );
  }
}

/** The FSP matrix of a model's two maps, the second resized to the first's H×W where they differ. */
function flowMatrix(maps: tf.Tensor[]): tf.Tensor3D {
  const [first, second] = maps as [tf.Tensor4D, tf.Tensor4D];
  const size: [number, number] = [first.shape[1], first.shape[2]];
  const matched = second.shape[1] === size[0] && second.shape[2] === size[1] ? second : resizeBilinearHalfPixel(second, size);
  return fspMatrix(first, matched);
}
