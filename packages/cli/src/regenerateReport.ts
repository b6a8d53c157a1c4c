import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import type { MetricsRecord } from './MetricsRecord.js';
import { renderReport } from './renderReport.js';
import type { Summary } from './Summary.js';

/** `distillery report <run dir>`: writes report.html again from summary.json and metrics.jsonl. */
export async function regenerateReport(runDirectory: string): Promise<string> {
  const read = (file: string) =>
    readFile(join(runDirectory, file), 'utf8').catch(() => {
      throw new DistilleryError(`${runDirectory}: no ${file}; is it a finished run directory?`);
    });
  const summary = JSON.parse(await read('summary.json')) as Summary;
  const records = (await read('metrics.jsonl'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as MetricsRecord;
      } catch {
        throw new DistilleryError(`${join(runDirectory, 'metrics.jsonl')}: line ${i + 1} is not JSON`);
      }
    });
  const path = join(runDirectory, 'report.html');
  await writeFileAtomic(path, await renderReport(summary, records));
  return path;
}
