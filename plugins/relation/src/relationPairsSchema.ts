import * as z from 'zod';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });
const pairShape = "{ student: '<layer>', teacher: '<layer>' }";

/**
 * The `pairs` option of the relation strategies: which student layer's relations follow which teacher layer's.
 * Left out, the strategy relates the logits, which every model has; the papers relate the penultimate embedding
 * (a zoo model's `<name>_pool`) or the last feature maps (`<name>_stage3`).
 */
export const relationPairsSchema = z
  .array(z.strictObject({ student: layerName.describe('student layer'), teacher: layerName.describe('teacher layer') }), {
    error: `expected an array of ${pairShape}`,
  })
  .min(1, { error: `expected at least one ${pairShape}` })
  .optional()
  .describe('student layer → teacher layer whose relations it follows; default: the logits of both');
