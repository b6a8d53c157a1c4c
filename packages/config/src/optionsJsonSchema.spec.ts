import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { optionsJsonSchema } from './optionsJsonSchema.js';

const create = () => {
  throw new Error('not created in this test');
};

describe('optionsJsonSchema', () => {
  it('gives what a config may write: defaulted options optional with their default, descriptions kept, no $schema line', () => {
    const optionsSchema = z.strictObject({
      temperature: z.number().positive().default(4).describe('softening temperature T > 0'),
      policyOptions: z
        .record(z.string(), z.unknown())
        .refine((options) => !('weights' in options))
        .optional(),
    });
    expect(optionsJsonSchema({ key: 'test.kd', description: 'test', optionsSchema, create })).toEqual({
      type: 'object',
      properties: {
        temperature: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'softening temperature T > 0' },
        policyOptions: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} },
      },
      additionalProperties: false,
    });
  });

  it('is undefined for a factory that declares no options schema', () => {
    expect(optionsJsonSchema({ key: 'test.open', description: 'test', create })).toBeUndefined();
  });
});
