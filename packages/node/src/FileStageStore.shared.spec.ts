import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
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
  directory = await mkdtemp(join(tmpdir(), 'distillery-shared-stages-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const fingerprintA = 'a'.repeat(64);
const fingerprintB = 'b'.repeat(64);

function result(fingerprint: string, seed: number): StageResult {
  return {
    name: 'seed1-baseline',
    model: fixtureMlp({ inputSize: 3, hidden: [4], classes: 2, prefix: 'baseline', seed }),
    history: [],
    fingerprint,
    reused: false,
  };
}

describe('FileStageStore keyed by fingerprint (a sweep’s shared stages)', () => {
  it('keeps two settings of one stage side by side and gives each back under its own fingerprint', async () => {
    const store = new FileStageStore(directory, { layout: 'by-fingerprint' });
    const [first, second] = [result(fingerprintA, 1), result(fingerprintB, 2)];
    await store.save(first);
    await store.save(second);
    expect((await readdir(join(directory, 'stages'))).sort()).toEqual([
      'seed1-baseline.aaaaaaaaaaaa',
      'seed1-baseline.bbbbbbbbbbbb',
    ]);
    const loadedA = await store.load('seed1-baseline', fingerprintA);
    const loadedB = await store.load('seed1-baseline', fingerprintB);
    expect(weightsOf(loadedA?.model as never)).toEqual(weightsOf(first.model));
    expect(weightsOf(loadedB?.model as never)).toEqual(weightsOf(second.model));
    expect(store.stageDirectory('seed1-baseline', fingerprintB)).toBe(join(directory, 'stages', 'seed1-baseline.bbbbbbbbbbbb'));
    for (const model of [first.model, second.model, loadedA?.model, loadedB?.model]) model?.dispose();
  });
});

describe('A stage lease', () => {
  it('makes a second holder wait, naming the first, until the first releases it', async () => {
    const first = new FileStageStore(directory, { owner: 'worker-a', leaseSeconds: 5 });
    const second = new FileStageStore(directory, { owner: 'worker-b', leaseSeconds: 5 });
    const held = await first.lease('seed1-teacher-big', fingerprintA, () => undefined);
    const waited: string[] = [];
    const events: string[] = [];
    const pending = second
      .lease('seed1-teacher-big', fingerprintA, (holder) => waited.push(holder))
      .then((lease) => {
        events.push('second holds');
        return lease;
      });
    await new Promise((resolve) => setTimeout(resolve, 600));
    events.push('first releases');
    await held.release();
    const lease = await pending;
    expect(waited).toEqual(['worker-a']);
    expect(events).toEqual(['first releases', 'second holds']);
    await lease.release();
  });

  it('is taken over from a holder that stopped renewing it (a killed worker)', async () => {
    const lockPath = join(directory, 'locks', 'seed1-teacher-big');
    await mkdir(lockPath, { recursive: true });
    await writeFile(`${lockPath}.owner`, 'worker-killed\n');
    const past = new Date(Date.now() - 60_000);
    await utimes(lockPath, past, past);
    const store = new FileStageStore(directory, { owner: 'worker-b', leaseSeconds: 5 });
    const waited: string[] = [];
    const started = performance.now();
    const lease = await store.lease('seed1-teacher-big', fingerprintA, (holder) => waited.push(holder));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await readFile(`${lockPath}.owner`, 'utf8')).toBe('worker-b\n');
    lease.assertHeld();
    await lease.release();
  });

  it('logs each training it starts in the stage’s trainings.jsonl', async () => {
    const store = new FileStageStore(directory, { owner: 'worker-a' });
    const lease = await store.lease('seed1-student', fingerprintA, () => undefined);
    await lease.training(undefined);
    await lease.training({ epoch: 2, batch: 7 });
    await lease.release();
    const lines = (await readFile(join(directory, 'stages', 'seed1-student', 'trainings.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map(({ owner, from }) => ({ owner, from }))).toEqual([
      { owner: 'worker-a', from: null },
      { owner: 'worker-a', from: { epoch: 2, batch: 7 } },
    ]);
  });

  it('refuses to let a holder whose lease was taken over save', async () => {
    const store = new FileStageStore(directory, { owner: 'worker-a', leaseSeconds: 2 });
    const lease = await store.lease('seed1-student', fingerprintA, () => undefined);
    // Another process removed the lock, as it does when it finds the lease stale.
    await rm(join(directory, 'locks', 'seed1-student'), { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(() => lease.assertHeld()).toThrow(/lost the lease on .*seed1-student: another process took the stage over/);
    await lease.release();
  });
});
