import type { StrategyFactory } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { listStrategies } from './listStrategies.js';

const create = () => {
  throw new Error('not created in this test');
};

const schedule: StrategyFactory = {
  key: 'test.schedule',
  description: 'a strategy with options of every kind',
  paper: 'Someone 2020, "A Paper", Venue',
  optionsSchema: z.strictObject({
    teacher: z.string().optional().describe('the teacher to learn from'),
    pairs: z.array(z.strictObject({ student: z.string(), teacher: z.string() })).min(1),
    temperature: z.number().positive().default(4).describe('softening temperature T > 0'),
  }),
  create,
};

describe('listStrategies', () => {
  it("reads each option's type, presence, default and description from the factory's options schema", () => {
    const [listing] = listStrategies([schedule]);
    expect(listing?.key).toBe('test.schedule');
    expect(listing?.description).toBe('a strategy with options of every kind');
    expect(listing?.paper).toBe('Someone 2020, "A Paper", Venue');
    expect(listing?.options).toEqual([
      { name: 'teacher', type: 'string', required: false, description: 'the teacher to learn from' },
      { name: 'pairs', type: '{ student, teacher }[]', required: true },
      { name: 'temperature', type: 'number > 0', required: false, default: 4, description: 'softening temperature T > 0' },
    ]);
    expect(listing?.optionsSchema).toEqual({
      type: 'object',
      properties: {
        teacher: { type: 'string', description: 'the teacher to learn from' },
        pairs: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: { student: { type: 'string' }, teacher: { type: 'string' } },
            required: ['student', 'teacher'],
            additionalProperties: false,
          },
        },
        temperature: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'softening temperature T > 0' },
      },
      required: ['pairs'],
      additionalProperties: false,
    });
  });

  it('marks the options of a factory without an options schema as open, and leaves out a paper it does not name', () => {
    const [listing] = listStrategies([{ key: 'test.open', description: 'takes anything', create }]);
    expect(listing).toEqual({ key: 'test.open', description: 'takes anything', options: null, optionsSchema: null });
  });
});
