import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { sha256Hex } from '@distillery/core/internal';
import { type CsvDatasetOptions, csvDataset, type ExampleStore } from '@distillery/data';

export interface LoadCsvFileOptions extends Omit<CsvDatasetOptions, 'id' | 'source'> {
  /** Names the data in fingerprints; by default the file name and the start of its content's SHA-256, `iris.csv@3f2a9c01b7de`. */
  readonly id?: string;
}

/**
 * Reads a CSV file (UTF-8) into a tabular {@link ExampleStore} with {@link csvDataset}; errors name
 * the file and the line. The default id changes whenever the file's content does, so cached stages
 * trained on an older version are not reused.
 */
export async function loadCsvFile(path: string, options: LoadCsvFileOptions): Promise<ExampleStore> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DistilleryError(`CSV file not found: ${path}`);
    throw new DistilleryError(`CSV file ${path} cannot be read (${(error as Error).message.split('\n')[0]})`);
  }
  const id = options.id ?? `${basename(path)}@${(await sha256Hex(text)).slice(0, 12)}`;
  return csvDataset(text, { ...options, id, source: `CSV file ${path}` });
}
