import type { StrategyFactory } from '@distillery/core';
import * as z from 'zod';
import { experimentConfigSchema } from './experimentConfigSchema.js';
import { optionsJsonSchema } from './optionsJsonSchema.js';

type JsonSchema = Record<string, unknown>;

/**
 * The config schema as JSON Schema (draft 2020-12), for editors' completion and checking.
 *
 * Given the registered strategy factories, each item of `strategies` is also one of: for every factory, its `key`
 * with the options its `optionsSchema` accepts (open when it declares none; required when the strategy cannot do
 * without them), or any other key with open options, since a config may load plugins the schema was not made with.
 */
export function experimentJsonSchema(factories: readonly StrategyFactory[] = []): JsonSchema {
  const schema = z.toJSONSchema(experimentConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  if (factories.length === 0) return { ...schema, title: 'Distillery experiment' };

  const definitions: Record<string, JsonSchema> = { ...(schema.$defs as Record<string, JsonSchema> | undefined) };
  const properties = schema.properties as Record<string, JsonSchema>;
  const strategies = properties.strategies as JsonSchema;
  const keys = factories.map((factory) => factory.key);
  const variants = factories.map((factory): JsonSchema => {
    const options = embeddedOptions(factory, definitions);
    const needsOptions = factory.optionsSchema !== undefined && !factory.optionsSchema.safeParse({}).success;
    const description = factory.paper === undefined ? factory.description : `${factory.description}\n\n${factory.paper}`;
    return {
      title: factory.key,
      properties: { key: { const: factory.key, description }, options: options ?? {} },
      required: needsOptions ? ['key', 'options'] : ['key'],
    };
  });
  const otherKeys: JsonSchema = { properties: { key: { not: { enum: keys } } } };
  return {
    ...schema,
    title: 'Distillery experiment',
    properties: {
      ...properties,
      strategies: { ...strategies, items: { ...(strategies.items as JsonSchema), anyOf: [...variants, otherKeys] } },
    },
    ...(Object.keys(definitions).length > 0 ? { $defs: definitions } : {}),
  };
}

/**
 * The factory's options schema ready to sit inside another document: its own definitions move to the document's
 * `$defs` under `<key>:<name>` (two plugins may both name one `Pair`), and a schema that refers to itself (`#`)
 * becomes a definition of its own, `$defs['<key>']`.
 */
function embeddedOptions(factory: StrategyFactory, definitions: Record<string, JsonSchema>): JsonSchema | undefined {
  const converted = optionsJsonSchema(factory);
  if (converted === undefined) return undefined;
  const { $defs: own = {}, ...root } = converted as JsonSchema & { $defs?: Record<string, JsonSchema> };
  let refersToItself = false;
  const relink = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(relink);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([name, value]) => {
        if (name !== '$ref' || typeof value !== 'string') return [name, relink(value)];
        if (value === '#') refersToItself = true;
        if (value === '#') return [name, `#/$defs/${factory.key}`];
        return [name, value.startsWith('#/$defs/') ? `#/$defs/${factory.key}:${value.slice('#/$defs/'.length)}` : value];
      }),
    );
  };
  for (const [name, definition] of Object.entries(own)) definitions[`${factory.key}:${name}`] = relink(definition) as JsonSchema;
  const options = relink(root) as JsonSchema;
  if (!refersToItself) return options;
  definitions[factory.key] = options;
  return { $ref: `#/$defs/${factory.key}` };
}
