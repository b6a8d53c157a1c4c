import * as z from 'zod';

/** One term of the objective as configs give it: `{ key, weight = 1, options?, name?, from?, until? }`. */
export const strategySpecSchema = z
  .strictObject({
    key: z.string().min(1, { error: 'expected a strategy key such as task.ce' }),
    weight: z.number({ error: 'expected a finite number ≥ 0' }).min(0, { error: 'expected a finite number ≥ 0' }).default(1),
    options: z.unknown().optional(),
    name: z
      .string()
      .regex(/^[\w.-]+$/, { error: 'expected a name of letters, digits, _ . or -' })
      .optional(),
    from: z.number().int().min(0).optional(),
    until: z.number().int().min(1).optional(),
  })
  .refine((spec) => spec.until === undefined || spec.until > (spec.from ?? 0), {
    error: 'expected until > from (epochs, zero-based, until exclusive)',
    path: ['until'],
  });
