import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Summary } from './Summary.js';

/** The summary of a run directory that holds a finished run; undefined otherwise. */
export async function finishedSummary(directory: string): Promise<Summary | undefined> {
  try {
    return JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')) as Summary;
  } catch {
    return undefined;
  }
}
