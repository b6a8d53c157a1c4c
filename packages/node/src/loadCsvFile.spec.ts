import '@tensorflow/tfjs-backend-cpu';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsvFile } from './loadCsvFile.js';

let directory: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-csv-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const text = 'x1,x2,class\n0.5,1,b\n1.5,2,a\n';

describe('loadCsvFile', () => {
  it('reads the file into a tabular store', async () => {
    const path = join(directory, 'tiny.csv');
    await writeFile(path, text);
    const store = await loadCsvFile(path, { labelColumn: 'class' });
    expect(Array.from(store.inputs)).toEqual([0.5, 1, 1.5, 2]);
    expect(store.classNames).toEqual(['a', 'b']);
    expect(Array.from(store.labels)).toEqual([1, 0]);
  });

  it('names the data by file name and content hash unless given an id', async () => {
    const path = join(directory, 'tiny.csv');
    await writeFile(path, text);
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
    expect((await loadCsvFile(path, { labelColumn: 'class' })).id).toBe(`tiny.csv@${digest}`);
    expect((await loadCsvFile(path, { labelColumn: 'class', id: 'tiny-v1' })).id).toBe('tiny-v1');
  });

  it('refuses a missing file with one line naming it', async () => {
    const path = join(directory, 'absent.csv');
    await expect(loadCsvFile(path, { labelColumn: 'class' })).rejects.toThrow(DistilleryError);
    await expect(loadCsvFile(path, { labelColumn: 'class' })).rejects.toThrow(`CSV file not found: ${path}`);
  });

  it('names the file and line of bad content', async () => {
    const path = join(directory, 'bad.csv');
    await writeFile(path, 'x1,class\n1,a\noops,b\n');
    await expect(loadCsvFile(path, { labelColumn: 'class' })).rejects.toThrow(
      `CSV file ${path} line 3, column 'x1': the feature 'oops' is not a finite number`,
    );
  });
});
