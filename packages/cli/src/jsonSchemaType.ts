/** Above this, a bound is zod's "safe integer" limit rather than one the option states. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/**
 * A JSON Schema as the short type a reader expects in a listing: `number > 0`, `integer ≥ 0`, `number in [0, 1]`,
 * `'avgpool' | 'bilinear'`, `{ start, end, shape? }`, `string[]`; `any` for an open one.
 */
export function jsonSchemaType(schema: Record<string, unknown>): string {
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ');
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return branches.map((branch) => jsonSchemaType(branch as Record<string, unknown>)).join(' | ');
  if (typeof schema.$ref === 'string') return schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1) || 'object';
  // Zod writes a union of plain types as `type: ['number', 'string']`.
  if (Array.isArray(schema.type)) return schema.type.map((type) => jsonSchemaType({ ...schema, type })).join(' | ');
  switch (schema.type) {
    case 'number':
    case 'integer':
      return `${schema.type}${bounds(schema)}`;
    case 'string':
    case 'boolean':
    case 'null':
      return schema.type;
    case 'array': {
      if (typeof schema.items !== 'object' || schema.items === null) return 'array';
      const items = jsonSchemaType(schema.items as Record<string, unknown>);
      return /[ |]/.test(items) && !items.startsWith('{') ? `(${items})[]` : `${items}[]`;
    }
    case 'object': {
      const properties = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      if (properties.length === 0) return 'object';
      const required = new Set((schema.required as string[] | undefined) ?? []);
      return `{ ${properties.map((name) => (required.has(name) ? name : `${name}?`)).join(', ')} }`;
    }
    default:
      return 'any';
  }
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function bounds(schema: Record<string, unknown>): string {
  const lower =
    typeof schema.exclusiveMinimum === 'number'
      ? { value: schema.exclusiveMinimum, open: true }
      : typeof schema.minimum === 'number' && schema.minimum > -UNBOUNDED
        ? { value: schema.minimum, open: false }
        : undefined;
  const upper =
    typeof schema.exclusiveMaximum === 'number'
      ? { value: schema.exclusiveMaximum, open: true }
      : typeof schema.maximum === 'number' && schema.maximum < UNBOUNDED
        ? { value: schema.maximum, open: false }
        : undefined;
  if (lower !== undefined && upper !== undefined) {
    return ` in ${lower.open ? '(' : '['}${lower.value}, ${upper.value}${upper.open ? ')' : ']'}`;
  }
  if (lower !== undefined) return ` ${lower.open ? '>' : '≥'} ${lower.value}`;
  if (upper !== undefined) return ` ${upper.open ? '<' : '≤'} ${upper.value}`;
  return '';
}
