import {
  type DistillationStrategy,
  DistilleryError,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type SymbolicShape,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { ByotHead } from './ByotHead.js';
import { byotLoss } from './byotLoss.js';

const key = 'self.byot';
const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  stages: z
    .array(layerName.describe('a student layer whose output is an NHWC map [B, H, W, C]'), {
      error: 'expected an array of layer names',
    })
    .min(1, { error: 'expected at least one layer name' })
    .describe('student layers, shallow → deep, each of whose NHWC maps [B, H, W, C] gets a shallow classifier'),
  deepest: layerName.describe(
    "the student's penultimate feature [B, D] (a zoo model's <name>_pool), or the NHWC map [B, H, W, D] it pools",
  ),
  alpha: z
    .number({ error: 'expected a number in [0, 1]' })
    .min(0, { error: 'expected a number in [0, 1]' })
    .max(1, { error: 'expected a number in [0, 1]' })
    .default(0.1)
    .describe("α: each head's loss is (1 − α)·CE + α·KD (the reference's 0.1)"),
  temperature: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(3)
    .describe('T > 0 of the KD from the deepest classifier to each head, scaled by T² (the reference’s 3)'),
  featureWeight: z
    .number({ error: 'expected a finite number ≥ 0' })
    .min(0, { error: 'expected a finite number ≥ 0' })
    .default(1e-6 * 128 * 512)
    .describe(
      "λ of mean((f_i − f)²) between each head's feature and the deepest one; the reference's β = 1e-6 on the sum, at its batch 128 and D = 512",
    ),
});

/**
 * `self.byot`: self-distillation with shallow classifiers, "Be Your Own Teacher" (Zhang, Song, Gao, Chen, Bao, Ma 2019,
 * ICCV; reference code luanyunteng/pytorch-be-your-own-teacher). It needs no teacher: one {@link ByotHead} per tapped
 * stage map, created in `build` from the tapped shapes and trained with the student, learns from the labels and from
 * the deepest classifier (the student's own logits and penultimate feature), see {@link byotLoss}. The heads are
 * strategy variables, not layers of the student, so an exported student never contains them.
 *
 * The middle convolution of head j (of n) shrinks its map k_j times, as the reference's kernel = stride 8, 4, 2 bring
 * every stage to the deepest map's size: with an NHWC `deepest` map k_j = min(⌊H_j / H⌋, ⌊W_j / W⌋); with a vector
 * `deepest` the map's size is unknown and k_j = 2^(n − j) (j from 0), which assumes each listed stage halves the map
 * and the deepest map is half the last one, as in ResNets. k_j is at least 1 and at most the map's smaller side.
 */
export const byotStrategyFactory: StrategyFactory = {
  key,
  description: 'Be Your Own Teacher: shallow classifiers on stage maps learn from the labels and the deepest classifier',
  optionsSchema,
  paper:
    'Zhang, Song, Gao, Chen, Bao, Ma 2019, "Be Your Own Teacher: Improve the Performance of Convolutional Neural Networks via Self Distillation", ICCV',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { stages, deepest, ...weights } = parseOptions(optionsSchema, options, context.path);
    checkLayerNames(stages, deepest, context.path);
    let heads: ByotHead[] = [];
    const disposeHeads = () => {
      for (const head of heads) head.dispose();
      heads = [];
    };

    return {
      key,
      taps: { student: [...stages, deepest] },
      lossParts: ['ce', 'kd', 'feature'],
      build: (shapes: TapShapes) => {
        disposeHeads();
        heads = buildHeads(stages, deepest, shapes, context);
      },
      variables: () => heads.flatMap((head) => head.variables()),
      loss: (batch) => {
        if (heads.length !== stages.length) throw new Error(`${key}: loss() called before build()`);
        const { features, logits } = batch.student;
        const tapped = (layer: string) => {
          const feature = features[layer];
          if (feature === undefined) throw new Error(`${key}: the kernel did not tap '${layer}'`);
          return feature;
        };
        const deepestOutput = tapped(deepest);
        const maps = stages.map(tapped);
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const feature = (deepestOutput.rank === 4 ? tf.mean(deepestOutput, [1, 2]) : deepestOutput) as tf.Tensor2D;
          const outputs = heads.map((head, index) => head.apply(maps[index] as tf.Tensor4D));
          const { total, parts } = byotLoss(outputs, { feature, logits }, batch.labels, weights);
          return { total, parts };
        });
      },
      dispose: disposeHeads,
    };
  },
};

/** A layer listed twice, or the deepest layer among the stages, would make a head teach itself. */
function checkLayerNames(stages: readonly string[], deepest: string, path: string): void {
  stages.forEach((layer, index) => {
    const field = `${path}.stages[${index}]`;
    if (stages.indexOf(layer) !== index) {
      throw new DistilleryError(`${field}: '${layer}' is listed twice; each stage gets one shallow classifier`, field);
    }
    if (layer === deepest) {
      throw new DistilleryError(
        `${field}: '${layer}' is also the deepest layer, which teaches the heads; list only shallower stages`,
        field,
      );
    }
  });
}

/** One head per stage from the tapped static shapes; if a stage is refused, the heads already made are freed first. */
function buildHeads(stages: readonly string[], deepest: string, shapes: TapShapes, context: StrategyCreationContext): ByotHead[] {
  const deepestShape = requireShape(shapes, deepest, `${context.path}.deepest`);
  const featureWidth = deepestShape[deepestShape.length - 1];
  if ((deepestShape.length !== 2 && deepestShape.length !== 4) || typeof featureWidth !== 'number') {
    const field = `${context.path}.deepest`;
    throw new DistilleryError(
      `${field}: layer '${deepest}' outputs ${describeShape(deepestShape)}; expected the penultimate feature [B, D] or an NHWC map [B, H, W, D] with a known D`,
      field,
    );
  }
  const heads: ByotHead[] = [];
  try {
    stages.forEach((layer, index) => {
      const field = `${context.path}.stages[${index}]`;
      const shape = requireShape(shapes, layer, field);
      const [, height, width, channels] = shape;
      if (shape.length !== 4 || typeof height !== 'number' || typeof width !== 'number' || typeof channels !== 'number') {
        throw new DistilleryError(
          `${field}: layer '${layer}' outputs ${describeShape(shape)}; a shallow classifier needs an NHWC map [B, H, W, C] of known size`,
          field,
        );
      }
      heads.push(
        new ByotHead({
          variableName: (local) => context.variableName(`heads[${index}]/${local}`),
          channels,
          stride: headStride([height, width], deepestShape, stages.length - index),
          featureWidth,
          classes: shapes.numClasses,
          seed: `${context.seed}/${key}/${index}`,
        }),
      );
    });
  } catch (error) {
    for (const head of heads) head.dispose();
    throw error;
  }
  return heads;
}

function requireShape(shapes: TapShapes, layer: string, field: string): SymbolicShape {
  const shape = shapes.student[layer];
  if (shape === undefined) throw new DistilleryError(`${field}: the kernel gave no shape for layer '${layer}'`, field);
  return shape;
}

/** k of a stage map [H, W]: its size over the deepest map's, or 2^(stages from it to the deepest), within 1 … min(H, W). */
function headStride([height, width]: [number, number], deepestShape: SymbolicShape, stagesToDeepest: number): number {
  const [, deepestHeight, deepestWidth] = deepestShape;
  const ratio =
    deepestShape.length === 4 && typeof deepestHeight === 'number' && typeof deepestWidth === 'number'
      ? Math.min(Math.floor(height / deepestHeight), Math.floor(width / deepestWidth))
      : 2 ** stagesToDeepest;
  return Math.max(1, Math.min(ratio, height, width));
}

function describeShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
