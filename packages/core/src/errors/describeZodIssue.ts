import type * as z from 'zod';

/** Turns a zod issue into a field path in config notation (`a.b[2].c`) and a short message. */
export function describeZodIssue(issue: z.core.$ZodIssue, root: string): { field: string; message: string } {
  let field = root;
  for (const segment of issue.path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else field += field === '' ? String(segment) : `.${String(segment)}`;
  }
  if (issue.code === 'unrecognized_keys') {
    // A key is the user's text: one with control characters is shown escaped, so the message stays one line.
    const printable = (key: string) => [...key].every((character) => character >= ' ' && character !== '\u007f');
    const keys = issue.keys.map((key) => (printable(key) ? `'${key}'` : JSON.stringify(key))).join(', ');
    return { field: field || '(root)', message: `unknown key ${keys}` };
  }
  return { field: field || '(root)', message: issue.message };
}
