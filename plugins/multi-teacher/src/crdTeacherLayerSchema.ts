import * as z from 'zod';

const expected = { error: 'expected a layer name, or an object of one layer name per teacher ({ <teacher>: <layer> })' };
const layerName = z.string(expected).min(1, expected);

/**
 * The `teacherLayer` option of `multi.crd`: the layer of each teacher that is embedded, one name for every teacher
 * (teachers of one architecture, loaded twice, share their layer names) or an object naming each teacher's.
 */
export const crdTeacherLayerSchema = z
  .union([layerName, z.record(z.string(), layerName, expected)], expected)
  .describe(
    "each teacher's embedded layer, its penultimate embedding (a zoo model's `<name>_pool`): one name for every teacher, or { <teacher>: <layer> }",
  );
