import * as z from 'zod';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });
const pairShape = "{ teacher: '<teacher name>', student: '<student layer>', teacherLayer: '<teacher layer>' }";

/** The `pairs` option of `multi.hint` and `multi.attention`: which student layer learns from which teacher's layer. */
export const teacherLayerPairsSchema = z
  .array(
    z.strictObject({
      teacher: z
        .string({ error: 'expected a teacher name' })
        .min(1, { error: 'expected a teacher name' })
        .describe('teacher name'),
      student: layerName.describe('student layer'),
      teacherLayer: layerName.describe('the teacher’s layer'),
    }),
    { error: `expected an array of ${pairShape}` },
  )
  .min(1, { error: `expected at least one ${pairShape}` })
  .describe('which student layer learns from which teacher’s layer, one entry per pair');
