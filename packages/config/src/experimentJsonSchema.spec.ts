import type { StrategyFactory } from '@distillery/core';
import { kdStrategyFactory } from '@distillery/plugin-response';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { experimentJsonSchema } from './experimentJsonSchema.js';

type JsonSchema = Record<string, unknown>;

/** The schema of one item of `strategies`. */
function strategyItem(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema>;
  return (properties.strategies as JsonSchema).items as JsonSchema;
}

function fakeFactory(key: string, optionsSchema?: z.ZodType): StrategyFactory {
  return {
    key,
    description: `${key}, for the test`,
    ...(optionsSchema === undefined ? {} : { optionsSchema }),
    create: () => {
      throw new Error('not created in this test');
    },
  };
}

describe('experimentJsonSchema', () => {
  it('is a draft 2020-12 schema whose strategies take any key and open options when no factory is given', () => {
    const schema = experimentJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('Distillery experiment');
    const item = strategyItem(schema);
    expect(item.anyOf).toBeUndefined();
    expect((item.properties as JsonSchema).options).toEqual({});
    expect((item.properties as JsonSchema).key).toEqual({ type: 'string', minLength: 1 });
  });

  it('gives every data source the optional labelNoise, a fraction in (0, 1) and a seed', () => {
    const data = (experimentJsonSchema().properties as Record<string, JsonSchema>).data as JsonSchema;
    const sources = data.oneOf as JsonSchema[];
    expect(sources).toHaveLength(7);
    for (const source of sources) {
      const properties = source.properties as Record<string, JsonSchema>;
      expect(source.required).not.toContain('labelNoise');
      expect(properties.labelNoise).toMatchObject({
        type: 'object',
        properties: {
          fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          seed: { type: 'integer', minimum: 0, default: 0 },
        },
        required: ['fraction'],
        additionalProperties: false,
      });
    }
  });

  it("describes response.kd's options per key, with temperature's default and description, beside the generic fields", () => {
    const item = strategyItem(experimentJsonSchema([kdStrategyFactory]));
    // The generic fields stay on the item, so weight, name, from and until are checked for every key.
    expect(Object.keys(item.properties as JsonSchema)).toEqual(['key', 'weight', 'options', 'name', 'from', 'until']);
    expect(item.required).toEqual(['key']);
    expect(item.additionalProperties).toBe(false);
    const [kd, others] = item.anyOf as JsonSchema[];
    expect(item.anyOf).toHaveLength(2);
    expect(kd).toEqual({
      title: 'response.kd',
      properties: {
        key: {
          const: 'response.kd',
          description: `${kdStrategyFactory.description}\n\n${kdStrategyFactory.paper}`,
        },
        options: {
          type: 'object',
          properties: {
            teacher: {
              description: "the teacher to learn from; default: the experiment's first teacher",
              type: 'string',
              minLength: 1,
            },
            temperature: {
              default: 4,
              description: 'softening temperature T > 0, or a schedule { start, end, shape } over training progress',
              anyOf: [
                { type: 'number', exclusiveMinimum: 0 },
                {
                  type: 'object',
                  properties: {
                    start: { type: 'number', exclusiveMinimum: 0, description: 'T at the start of training' },
                    end: { type: 'number', exclusiveMinimum: 0, description: 'T at the end of training' },
                    shape: {
                      default: 'linear',
                      description: "'linear' interpolates directly; 'cosine' follows half a cosine, slow at both ends",
                      type: 'string',
                      enum: ['linear', 'cosine'],
                    },
                  },
                  required: ['start', 'end'],
                  additionalProperties: false,
                },
              ],
            },
            standardize: {
              default: false,
              description: 'z-score both logits per example first (logit standardization, Sun et al. 2024: "KD + LS")',
              type: 'boolean',
            },
          },
          additionalProperties: false,
        },
      },
      required: ['key'],
    });
    // A key from a plugin the schema was not made with keeps open options rather than being flagged.
    expect(others).toEqual({ properties: { key: { not: { enum: ['response.kd'] } } } });
  });

  it('requires options of a strategy that cannot do without them, and leaves undeclared options open', () => {
    const needsPairs = fakeFactory('test.pairs', z.strictObject({ pairs: z.array(z.string()).min(1) }));
    const undeclared = fakeFactory('test.open');
    const [pairs, open, others] = strategyItem(experimentJsonSchema([needsPairs, undeclared])).anyOf as [
      JsonSchema,
      JsonSchema,
      JsonSchema,
    ];
    expect(pairs.required).toEqual(['key', 'options']);
    expect(open).toEqual({
      title: 'test.open',
      properties: { key: { const: 'test.open', description: 'test.open, for the test' }, options: {} },
      required: ['key'],
    });
    expect(others).toEqual({ properties: { key: { not: { enum: ['test.pairs', 'test.open'] } } } });
  });

  it("moves an options schema's own definitions to the document's $defs under its key, so that references still resolve", () => {
    const pair = z.strictObject({ student: z.string(), teacher: z.string() }).meta({ id: 'Pair' });
    interface Tree {
      name: string;
      children?: Tree[] | undefined;
    }
    const tree: z.ZodType<Tree> = z.strictObject({
      name: z.string(),
      get children() {
        return z.array(tree).optional();
      },
    });
    const schema = experimentJsonSchema([
      fakeFactory('test.pairs', z.strictObject({ pairs: z.array(pair) })),
      fakeFactory('test.tree', tree),
    ]);
    const [pairs, recursive] = strategyItem(schema).anyOf as [JsonSchema, JsonSchema, JsonSchema];
    expect((pairs.properties as JsonSchema).options).toEqual({
      type: 'object',
      properties: { pairs: { type: 'array', items: { $ref: '#/$defs/test.pairs:Pair' } } },
      required: ['pairs'],
      additionalProperties: false,
    });
    expect((recursive.properties as JsonSchema).options).toEqual({ $ref: '#/$defs/test.tree' });
    expect(schema.$defs).toEqual({
      'test.pairs:Pair': {
        type: 'object',
        properties: { student: { type: 'string' }, teacher: { type: 'string' } },
        required: ['student', 'teacher'],
        additionalProperties: false,
      },
      'test.tree': {
        type: 'object',
        properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/test.tree' } } },
        required: ['name'],
        additionalProperties: false,
      },
    });
  });
});
