import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDistillery } from './support/runDistillery.js';

let directory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-plugin-bug-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('distillery run with a plugin whose own code fails', () => {
  it('names the strategy and its key, shows where in the plugin, and exits with 1 rather than blaming the config', async () => {
    const plugin = fileURLToPath(new URL('./fixtures/no-gradient-plugin', import.meta.url));
    const file = join(directory, 'buggy.json');
    await writeFile(
      file,
      JSON.stringify({
        plugins: [plugin],
        data: { source: 'synthetic', examples: 300, features: 8, classes: 3, validation: 60, test: 60 },
        teachers: [{ name: 'big', model: { type: 'mlp', hidden: [16] }, training: { epochs: 1, batchSize: 32 } }],
        student: { model: { type: 'mlp', hidden: [4] } },
        strategies: [{ key: 'task.ce' }, { key: 'custom.hard-agreement', weight: 0.5 }],
        training: { epochs: 1, batchSize: 32 },
        seeds: [1],
        backend: 'cpu',
        output: join(directory, 'runs'),
      }),
    );

    const { code, out, err } = await runDistillery('run', file);

    const headline =
      'strategies[1] (custom.hard-agreement) failed while computing its gradient: Cannot compute gradient: gradient function not found for Less.';
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err[0]).toBe(`error: ${headline}`);
    expect(err).toHaveLength(2);
    expect(err[1]).toMatch(/^\s+at /);
    // Found while the run was prepared: the run directory holds the report and nothing else.
    const runDirectory = join(directory, 'runs', 'buggy');
    expect(await readdir(runDirectory)).toEqual(['error.txt']);
    const saved = await readFile(join(runDirectory, 'error.txt'), 'utf8');
    expect(saved.split('\n')[0]).toBe(headline);
    expect(saved).toContain('    at ');
  });
});
