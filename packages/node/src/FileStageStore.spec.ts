import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistilleryError, type StageResult, type TrainingState } from '@distillery/core';
import { fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeTrainingState } from './encodeTrainingState.js';
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

  it('saves the peers a stage trained in stages/<stage>/peers/<peer> and gives them back with it', async () => {
    const store = new FileStageStore(directory);
    const peer = fixtureMlp({ inputSize: 3, hidden: [5], classes: 2, prefix: 'peer', seed: 6 });
    const saved = { ...result('abc'), peers: [{ name: 'peer', model: peer }] };
    await store.save(saved);
    expect(await readdir(join(directory, 'stages', 'teacher', 'peers', 'peer'))).toEqual(['model.json', 'weights.bin']);
    const record = JSON.parse(await readFile(join(directory, 'stages', 'teacher', 'stage.json'), 'utf8'));
    expect(record.peers).toEqual(['peer']);
    const loaded = await store.load('teacher', 'abc');
    expect(loaded?.peers?.map(({ name }) => name)).toEqual(['peer']);
    expect(weightsOf(loaded?.peers?.[0]?.model as never)).toEqual(weightsOf(peer));
    expect(loaded?.result).not.toHaveProperty('peers');
    for (const model of [saved.model, peer, loaded?.model, loaded?.peers?.[0]?.model]) model?.dispose();
  });

  it('keeps a stage’s strategy weights by local name and gives them back exactly', async () => {
    const store = new FileStageStore(directory);
    const strategyWeights = {
      'paraphraser/encoder/conv1/kernel': { shape: [1, 2], dtype: 'float32' as const, values: Float32Array.from([0.25, -3]) },
      'bank/count': { shape: [], dtype: 'int32' as const, values: Int32Array.from([7]) },
    };
    const saved = { ...result('abc'), strategyWeights };
    await store.save(saved);
    const record = JSON.parse(await readFile(join(directory, 'stages', 'teacher', 'stage.json'), 'utf8'));
    expect(record.strategyWeights).toBe(true);
    const loaded = await store.load('teacher', 'abc');
    expect(loaded?.result.strategyWeights).toEqual(strategyWeights);
    // Saved again without them: the record no longer lists them, so the files left from before are not read.
    const plain = result('def');
    await store.save(plain);
    const reloaded = await store.load('teacher', 'def');
    expect(reloaded?.result).not.toHaveProperty('strategyWeights');
    for (const model of [saved.model, loaded?.model, plain.model, reloaded?.model]) model?.dispose();
  });

  it('refuses a stage name that is not a plain folder name', async () => {
    const store = new FileStageStore(directory);
    await expect(store.load('../escape', 'abc')).rejects.toThrow(
      "stage name '../escape': expected letters, digits, _ . or - (it names a folder)",
    );
  });
});

function trainingState(epoch: number): TrainingState {
  return {
    version: 1,
    epoch,
    batch: 4,
    globalStep: epoch * 10 + 4,
    history: [{ epoch: 0, loss: 0.5, losses: { 'task.ce': 0.5 }, learningRate: 0.001, seconds: 1 }],
    epochSums: [1.5, 1.5],
    teacherCacheKey: null,
    studentWeights: [{ shape: [2, 2], dtype: 'float32', values: Float32Array.from([epoch, 0.5, -1, 2]) }],
    strategyWeights: [],
    optimizer: [{ name: 'iter', tensor: { shape: [], dtype: 'int32', values: Int32Array.from([epoch * 10 + 4]) } }],
    layerDraws: {},
  };
}

function checkpointPath(stage: string): string {
  return join(directory, 'checkpoints', stage, 'state.ckpt');
}

/** The error `promise` rejects with, checked to be a one-line DistilleryError. */
async function oneLineFailure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DistilleryError);
  const { message } = error as DistilleryError;
  expect(message).not.toContain('\n');
  return message;
}

describe('FileStageStore checkpoints', () => {
  it('gives back a saved checkpoint under the same fingerprint, in checkpoints/<stage>/state.ckpt', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(2));
    const loaded = await store.loadCheckpoint('student', 'abc');
    expect(loaded?.epoch).toBe(2);
    expect(Array.from(loaded?.studentWeights[0]?.values ?? [])).toEqual([2, 0.5, -1, 2]);
    expect(loaded?.optimizer[0]?.tensor.values).toEqual(Int32Array.from([24]));
    expect(await readdir(join(directory, 'checkpoints', 'student'))).toEqual(['state.ckpt']);
  });

  it('gives nothing back for another fingerprint or a stage without a checkpoint', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(2));
    expect(await store.loadCheckpoint('student', 'changed')).toBeUndefined();
    expect(await store.loadCheckpoint('teacher', 'abc')).toBeUndefined();
  });

  it('keeps only the newest of two saves', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(1));
    await store.saveCheckpoint('student', 'abc', trainingState(3));
    expect((await store.loadCheckpoint('student', 'abc'))?.epoch).toBe(3);
    expect(await readdir(join(directory, 'checkpoints', 'student'))).toEqual(['state.ckpt']);
  });

  it('forgets a removed checkpoint, and removing one that is not there is fine', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(1));
    await store.removeCheckpoint('student', 'abc');
    expect(await store.loadCheckpoint('student', 'abc')).toBeUndefined();
    await expect(store.removeCheckpoint('student', 'abc')).resolves.toBeUndefined();
    await expect(store.removeCheckpoint('never-saved', 'abc')).resolves.toBeUndefined();
  });

  it('leaves the model files the CLI writes beside the checkpoint alone when removing it', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(1));
    await writeFile(join(directory, 'checkpoints', 'student', 'model.json'), '{}');
    await store.removeCheckpoint('student', 'abc');
    expect(await readdir(join(directory, 'checkpoints', 'student'))).toEqual(['model.json']);
  });

  it('refuses to load a corrupt or truncated checkpoint rather than restarting the stage silently', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(1));
    const bytes = await readFile(checkpointPath('student'));
    await writeFile(checkpointPath('student'), bytes.subarray(0, bytes.byteLength - 20));
    expect(await oneLineFailure(store.loadCheckpoint('student', 'abc'))).toBe(
      `checkpoint ${checkpointPath('student')} is truncated (expected ${bytes.byteLength} bytes, found ${bytes.byteLength - 20}); ` +
        'delete it to restart the stage',
    );
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.byteLength - 20] = (damaged[damaged.byteLength - 20] as number) ^ 1;
    await writeFile(checkpointPath('student'), damaged);
    expect(await oneLineFailure(store.loadCheckpoint('student', 'abc'))).toBe(
      `checkpoint ${checkpointPath('student')} is corrupt (checksum mismatch); delete it to restart the stage`,
    );
  });

  it('reports a save that cannot be written in one line, and leaves the checkpoints of other stages intact', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('teacher', 'abc', trainingState(4));
    // A file where the stage's folder should be: the folder cannot be created.
    await mkdir(join(directory, 'checkpoints'), { recursive: true });
    await writeFile(join(directory, 'checkpoints', 'student'), 'in the way');
    const message = await oneLineFailure(store.saveCheckpoint('student', 'abc', trainingState(1)));
    expect(message.startsWith(`checkpoint: cannot write ${checkpointPath('student')}: `)).toBe(true);
    expect(message).toMatch(/\((EEXIST|ENOTDIR)\)$/);
    expect((await store.loadCheckpoint('teacher', 'abc'))?.epoch).toBe(4);
  });

  it('keeps the previous checkpoint when a crash cut a later write short', async () => {
    const store = new FileStageStore(directory);
    await store.saveCheckpoint('student', 'abc', trainingState(2));
    // What writeFileAtomic leaves when the process dies mid-write: a part of the new file under its temporary name.
    const newer = encodeTrainingState(trainingState(3), 'abc');
    const stray = `${checkpointPath('student')}.4242.k3j5h.tmp`;
    await writeFile(stray, newer.subarray(0, newer.byteLength / 2));
    expect((await store.loadCheckpoint('student', 'abc'))?.epoch).toBe(2);
    // The next save replaces the checkpoint as usual; removing it clears what the crash left too.
    await store.saveCheckpoint('student', 'abc', trainingState(3));
    expect((await store.loadCheckpoint('student', 'abc'))?.epoch).toBe(3);
    await store.removeCheckpoint('student', 'abc');
    expect(await readdir(join(directory, 'checkpoints', 'student'))).toEqual([]);
  });

  it('refuses a stage name that is not a plain folder name', async () => {
    const store = new FileStageStore(directory);
    await expect(store.saveCheckpoint('../escape', 'abc', trainingState(1))).rejects.toThrow(
      "stage name '../escape': expected letters, digits, _ . or - (it names a folder)",
    );
    await expect(store.loadCheckpoint('a/b', 'abc')).rejects.toThrow("stage name 'a/b'");
  });
});
