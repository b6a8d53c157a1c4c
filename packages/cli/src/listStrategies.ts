import { optionsJsonSchema } from '@distillery/config';
import type { StrategyFactory } from '@distillery/core';
import { jsonSchemaType } from './jsonSchemaType.js';
import type { OptionListing } from './OptionListing.js';
import type { StrategyListing } from './StrategyListing.js';

/**
 * What `distillery strategies` shows of each factory, in the order given. Options are read from the JSON Schema
 * of the factory's options schema rather than from zod's internals, so the listing says what config files may
 * write, as editors see it.
 */
export function listStrategies(factories: readonly StrategyFactory[]): StrategyListing[] {
  return factories.map((factory) => {
    const schema = optionsJsonSchema(factory) ?? null;
    return {
      key: factory.key,
      description: factory.description,
      ...(factory.paper === undefined ? {} : { paper: factory.paper }),
      options: schema === null ? null : optionListings(schema),
      optionsSchema: schema,
    };
  });
}

function optionListings(schema: Record<string, unknown>): OptionListing[] {
  const properties = (schema.properties as Record<string, Record<string, unknown>> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, option]) => ({
    name,
    type: jsonSchemaType(option),
    required: required.has(name),
    ...('default' in option ? { default: option.default } : {}),
    ...(typeof option.description === 'string' ? { description: option.description } : {}),
  }));
}
