import { DistilleryError } from '@distillery/core';
import { describeZodIssue } from '@distillery/core/internal';
import { parseDocument } from 'yaml';
import { type ExperimentConfig, experimentConfigSchema } from './experimentConfigSchema.js';

/**
 * Parses and validates a config file's text. YAML is read with the core schema only (plain data: no
 * tags, so nothing in a config can construct objects or run code); JSON is YAML too. Any problem is
 * one DistilleryError line: `<source>: <field path>: <what was expected>`.
 */
export function parseConfig(text: string, source = 'config'): ExperimentConfig {
  const document = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: true });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem !== undefined) {
    const line = problem.linePos?.[0];
    const where = line === undefined ? '' : ` (line ${line.line}, column ${line.col})`;
    const message = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new DistilleryError(`${source}: not valid YAML or JSON${where}: ${message}`);
  }
  let value: unknown;
  try {
    // Some problems only show when the document is built: an alias with no anchor, an alias bomb.
    value = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    const message = ((error as Error).message.split('\n')[0] ?? '').trim();
    throw new DistilleryError(`${source}: not valid YAML or JSON: ${message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DistilleryError(`${source}: expected a mapping of settings (data, student, strategies, …)`);
  }
  const parsed = experimentConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  // A typo in a key also makes the key it meant look missing; the typo is the one to report.
  const issue = parsed.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? parsed.error.issues[0];
  if (issue === undefined) throw new DistilleryError(`${source}: invalid config`);
  const { field, message } = describeZodIssue(issue, '');
  throw new DistilleryError(`${source}: ${field}: ${message}`, field);
}
