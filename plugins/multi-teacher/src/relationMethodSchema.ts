import * as z from 'zod';

const nonNegative = z.number({ error: 'expected a number ≥ 0' }).min(0, { error: 'expected a number ≥ 0' });
const methodNames = "'rkd', 'pkt', 'sp', 'nst' or 'cc'";

/**
 * The `method` option of `multi.relation`: which relation loss of @distillery/plugin-relation each teacher's pairs
 * use, as a name (`rkd`) or with its options (`{ name: rkd, distanceWeight: 25, angleWeight: 50 }`). FSP is not
 * offered: it relates two layers per model, which per-teacher layer pairs do not describe.
 */
export const relationMethodSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.discriminatedUnion(
    'name',
    [
      z.strictObject({
        name: z.literal('rkd'),
        distanceWeight: nonNegative.default(25).describe('RKD distance weight'),
        angleWeight: nonNegative.default(50).describe('RKD angle weight'),
      }),
      z.strictObject({ name: z.literal('pkt') }),
      z.strictObject({ name: z.literal('sp') }),
      z.strictObject({ name: z.literal('nst') }),
      z.strictObject({
        name: z.literal('cc'),
        gamma: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).default(0.4),
        order: z
          .number({ error: 'expected an integer ≥ 0' })
          .int({ error: 'expected an integer ≥ 0' })
          .min(0, { error: 'expected an integer ≥ 0' })
          .default(2),
        normalize: z.boolean().default(true),
      }),
    ],
    { error: `expected ${methodNames}, or { name: ${methodNames}, …its options }` },
  ),
);
