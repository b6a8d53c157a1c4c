import { z } from 'zod';
import { experimentConfigSchema } from './experimentConfigSchema.js';

/** The config schema as JSON Schema (draft 2020-12), for editors' completion and checking. */
export function experimentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(experimentConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Distillery experiment',
  };
}
