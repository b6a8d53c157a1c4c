import { optionsJsonSchema } from '@distillery/config';
import type { StrategyFactory } from '@distillery/core';

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  anyOf?: PropertySchema[];
  default?: unknown;
  description?: string;
}

/** How one option is edited: a number, a checkbox, a choice, a line of text, or JSON for structured values. */
type Kind = 'number' | 'boolean' | 'choice' | 'text' | 'json';

function kindOf(schema: PropertySchema): Kind {
  if (schema.type === 'number' || schema.type === 'integer') return 'number';
  // A scalar or a schedule object (the temperature): the page edits the scalar form; JSON takes the rest.
  if (schema.anyOf?.some((branch) => branch.type === 'number') && typeof (schema.default ?? 0) === 'number') return 'number';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'string' && schema.enum !== undefined) return 'choice';
  if (schema.type === 'string') return 'text';
  return 'json';
}

/**
 * Fills `container` with one input per option of `factory`, generated from the zod schema it parses its options
 * with (through the JSON Schema the config package makes of it), each showing its default. `teacher` is left out:
 * the page has one. Returns a reader that collects the options the user set: an empty field keeps the default, and
 * the factory itself validates what is given, so a bad value fails as it would in a config, with one line.
 */
export function optionInputs(factory: StrategyFactory, container: HTMLElement): () => Record<string, unknown> {
  container.replaceChildren();
  const schema = optionsJsonSchema(factory) as { properties?: Record<string, PropertySchema>; required?: string[] } | undefined;
  const readers: (() => [string, unknown] | undefined)[] = [];
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    if (name === 'teacher') continue;
    const kind = kindOf(property);
    const label = document.createElement('label');
    label.title = property.description ?? '';
    const required = schema?.required?.includes(name) === true;
    label.append(`${name}${required ? ' (required)' : ''} `);
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (kind === 'choice') {
      input = document.createElement('select');
      input.append(new Option('default', ''), ...(property.enum ?? []).map((value) => new Option(String(value), String(value))));
      if (property.default !== undefined) input.value = String(property.default);
    } else if (kind === 'json') {
      input = document.createElement('textarea');
      input.rows = 1;
      input.placeholder = property.default === undefined ? 'JSON' : JSON.stringify(property.default);
    } else {
      input = document.createElement('input');
      input.type = kind === 'boolean' ? 'checkbox' : kind === 'number' ? 'number' : 'text';
      if (kind === 'number') input.step = 'any';
      if (kind === 'boolean') input.checked = property.default === true;
      else if (property.default !== undefined) input.placeholder = String(property.default);
      if (kind === 'number' && typeof property.default === 'number') input.value = String(property.default);
    }
    input.name = `option-${name}`;
    input.dataset.option = name;
    label.append(input);
    container.append(label);
    readers.push(() => {
      if (input instanceof HTMLInputElement && input.type === 'checkbox') {
        return input.checked === (property.default === true) ? undefined : [name, input.checked];
      }
      const text = input.value.trim();
      if (text === '') return undefined;
      if (kind === 'number') return [name, Number(text)];
      if (kind === 'json') {
        try {
          return [name, JSON.parse(text)];
        } catch {
          throw new Error(`option ${name}: expected JSON, got '${text}'`);
        }
      }
      return [name, text];
    });
  }
  return () => Object.fromEntries(readers.map((read) => read()).filter((entry) => entry !== undefined));
}
