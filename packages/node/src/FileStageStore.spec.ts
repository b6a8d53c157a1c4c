import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageResult } from '@distillery/core';
import { fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileStageStore } from './FileStageStore.js';

let directory: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-stages-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function result(fingerprint: string): StageResult {
  return {
    name: 'teacher',
    model: fixtureMlp({ inputSize: 3, hidden: [4], classes: 2, prefix: 'teacher', seed: 5 }),
    history: [{ epoch: 0, loss: 0.5, losses: { 'task.ce': 0.5 }, learningRate: 0.001, seconds: 1 }],
    evaluation: { loss: 0.4, accuracy: 0.9, agreement: {} },
    fingerprint,
    reused: false,
  };
}

describe('FileStageStore', () => {
  it('gives back a saved stage with the same fingerprint: the same weights and records', async () => {
    const store = new FileStageStore(directory);
    const saved = result('abc');
    await store.save(saved);
    const loaded = await store.load('teacher', 'abc');
    expect(loaded).toBeDefined();
    expect(weightsOf(loaded?.model as never)).toEqual(weightsOf(saved.model));
    expect(loaded?.result).toEqual({
      name: 'teacher',
      history: saved.history,
      evaluation: saved.evaluation,
      fingerprint: 'abc',
      reused: true,
    });
    const record = JSON.parse(await readFile(join(directory, 'stages', 'teacher', 'stage.json'), 'utf8'));
    expect(Object.keys(record).sort()).toEqual(['evaluation', 'fingerprint', 'history', 'name']);
  });

  it('gives nothing back for another fingerprint, an unsaved stage, or a save cut short', async () => {
    const store = new FileStageStore(directory);
    await store.save(result('abc'));
    expect(await store.load('teacher', 'other')).toBeUndefined();
    expect(await store.load('student', 'abc')).toBeUndefined();
    // A crash between the weights and the record: the record is removed first, so nothing vouches for the folder.
    await rm(join(directory, 'stages', 'teacher', 'stage.json'));
    await writeFile(join(directory, 'stages', 'teacher', 'weights.bin'), new Uint8Array(3));
    expect(await store.load('teacher', 'abc')).toBeUndefined();
  });

  it('refuses a stage name that is not a plain folder name', async () => {
    const store = new FileStageStore(directory);
    await expect(store.load('../escape', 'abc')).rejects.toThrow(
      "stage name '../escape': expected letters, digits, _ . or - (it names a folder)",
    );
  });
});
