import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { jsonSchemaType } from './jsonSchemaType.js';

/** The type shown for a zod schema, through its JSON Schema, as `distillery strategies` derives it. */
function typeOf(schema: z.ZodType): string {
  return jsonSchemaType(z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>);
}

describe('jsonSchemaType', () => {
  it('shows numbers with the bounds they state, leaving out the safe-integer limits zod adds to integers', () => {
    expect(typeOf(z.number())).toBe('number');
    expect(typeOf(z.number().positive())).toBe('number > 0');
    expect(typeOf(z.number().min(1))).toBe('number ≥ 1');
    expect(typeOf(z.number().max(1))).toBe('number ≤ 1');
    expect(typeOf(z.number().min(0).max(1))).toBe('number in [0, 1]');
    expect(typeOf(z.number().gt(0).lt(1))).toBe('number in (0, 1)');
    expect(typeOf(z.number().int().min(0))).toBe('integer ≥ 0');
    expect(typeOf(z.number().int())).toBe('integer');
  });

  it('shows enums, literals and unions as alternatives, strings quoted', () => {
    expect(typeOf(z.enum(['avgpool', 'bilinear']))).toBe("'avgpool' | 'bilinear'");
    expect(typeOf(z.literal(3))).toBe('3');
    expect(typeOf(z.union([z.number().positive(), z.string()]))).toBe('number > 0 | string');
  });

  it('shows objects by their fields, optional ones marked, and arrays by their items', () => {
    expect(typeOf(z.object({ start: z.number(), end: z.number(), shape: z.string().default('linear') }))).toBe(
      '{ start, end, shape? }',
    );
    expect(typeOf(z.array(z.object({ student: z.string(), teacher: z.string() })))).toBe('{ student, teacher }[]');
    expect(typeOf(z.array(z.string()))).toBe('string[]');
    expect(typeOf(z.array(z.union([z.number(), z.string()])))).toBe('(number | string)[]');
    expect(typeOf(z.record(z.string(), z.unknown()))).toBe('object');
  });

  it('shows an open schema as any', () => {
    expect(typeOf(z.unknown())).toBe('any');
    expect(jsonSchemaType({})).toBe('any');
  });
});
