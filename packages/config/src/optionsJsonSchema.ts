import type { StrategyFactory } from '@distillery/core';
import * as z from 'zod';

/**
 * A factory's options as JSON Schema (draft 2020-12), describing what a config may write (`io: 'input'`:
 * defaulted options are optional and carry their `default`), without the `$schema` line so it can be embedded.
 * `undefined` for a factory that declares no `optionsSchema`: its options are open.
 * Checks zod cannot express (refinements, custom types) are left out rather than failing the conversion.
 */
export function optionsJsonSchema(factory: StrategyFactory): Record<string, unknown> | undefined {
  if (factory.optionsSchema === undefined) return undefined;
  const { $schema: _, ...schema } = z.toJSONSchema(factory.optionsSchema, { io: 'input', unrepresentable: 'any' });
  return schema;
}
