import { DistilleryError } from '@distillery/core';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueStudy } from './enqueueStudy.js';
import { followStudy } from './followStudy.js';
import { parseQueueUrl } from './parseQueueUrl.js';
import { readStudyStatus } from './readStudyStatus.js';
import type { StudyHandlers } from './StudyHandlers.js';
import { startStudyWorker } from './startStudyWorker.js';
import { type RedisServerForTests, startRedisServer } from './testing/startRedisServer.js';

let redis: RedisServerForTests;
beforeAll(async () => {
  redis = await startRedisServer();
}, 20_000);
afterAll(async () => {
  await redis.stop();
});

const retry = { attempts: 3, backoffSeconds: 0.1 };

async function withWorkers<T>(handlers: StudyHandlers<string>, count: number, work: () => Promise<T>): Promise<T> {
  const connection = parseQueueUrl(redis.url);
  const workers: Worker[] = Array.from({ length: count }, (_, i) =>
    startStudyWorker(connection, handlers, { name: `test-${i + 1}`, stalledSeconds: 5 }),
  );
  try {
    return await work();
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

describe('A study on the queue', () => {
  it('runs every setup job before any run, and the summary after every run, on whichever worker is free', async () => {
    const connection = parseQueueUrl(redis.url);
    const events: string[] = [];
    const handlers: StudyHandlers<string> = {
      async setup(data) {
        events.push(`setup ${data}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
      async run(data, job) {
        events.push(`run ${data}`);
        job.progress({ stage: 'seed1-student', epoch: 1, epochs: 2 });
        return { data, worker: job.worker };
      },
      async summary(data) {
        events.push(`summary ${data}`);
        return { wrote: data };
      },
    };
    const result = await withWorkers(handlers, 2, async () => {
      await enqueueStudy(
        connection,
        {
          id: 'order-1',
          name: 'order',
          setup: ['t1', 't2'].map((data) => ({ label: data, data })),
          runs: ['a', 'b', 'c'].map((data) => ({ label: data, data })),
          summary: 'sweep.json',
        },
        retry,
      );
      return followStudy(connection, 'order-1', {}, 0.2);
    });
    expect(result).toEqual({ wrote: 'sweep.json' });
    const setups = events.filter((event) => event.startsWith('setup')).map((event) => events.indexOf(event));
    const runs = events.filter((event) => event.startsWith('run')).map((event) => events.indexOf(event));
    expect(setups).toHaveLength(2);
    expect(runs).toHaveLength(3);
    expect(Math.max(...setups)).toBeLessThan(Math.min(...runs));
    expect(events.at(-1)).toBe('summary sweep.json');
    const [status] = await readStudyStatus(connection, 'order-1');
    expect(status?.state).toBe('done');
    expect(status?.runs.map((run) => run.state)).toEqual(['done', 'done', 'done']);
    expect(status?.runs.every((run) => run.worker === 'test-1' || run.worker === 'test-2')).toBe(true);
  }, 30_000);

  it('retries a crash with backoff, and fails a bad config once, naming it, failing the study', async () => {
    const connection = parseQueueUrl(redis.url);
    const tries = new Map<string, number>();
    const handlers: StudyHandlers<string> = {
      async setup() {},
      async run(data) {
        tries.set(data, (tries.get(data) ?? 0) + 1);
        if (data === 'flaky' && (tries.get(data) ?? 0) < 2) throw new Error('worker ran out of memory');
        if (data === 'bad') throw new DistilleryError('strategies[0].options.temperature: expected a number > 0');
        return data;
      },
      async summary() {
        return 'never';
      },
    };
    const failure = await withWorkers(handlers, 1, async () => {
      await enqueueStudy(
        connection,
        { id: 'faults-1', name: 'faults', setup: [], runs: ['flaky', 'bad'].map((data) => ({ label: data, data })), summary: '' },
        retry,
      );
      return followStudy(connection, 'faults-1', {}, 0.2).then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(failure).toEqual(
      new DistilleryError('study faults-1 failed: bad: strategies[0].options.temperature: expected a number > 0'),
    );
    expect(tries.get('bad')).toBe(1);
    expect(tries.get('flaky')).toBe(2);
  }, 30_000);
});
