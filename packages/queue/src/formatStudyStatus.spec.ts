import { describe, expect, it } from 'vitest';
import { formatStudyStatus } from './formatStudyStatus.js';
import type { StudyStatus } from './StudyStatus.js';

const status: StudyStatus = {
  id: 'kd-sweep-m3x1',
  name: 'kd-sweep',
  state: 'running',
  setup: [{ label: 'seed 1: teachers', state: 'done', worker: 'lab-1', attempts: 1, seconds: 40 }],
  runs: [
    { label: 'T=1 seed 1', state: 'done', worker: 'lab-1', attempts: 1, seconds: 100 },
    { label: 'T=1 seed 2', state: 'done', worker: 'lab-2', attempts: 1, seconds: 140 },
    {
      label: 'T=4 seed 1',
      state: 'running',
      worker: 'lab-1',
      progress: { stage: 'seed1-student', epoch: 3, epochs: 10 },
      attempts: 0,
    },
    { label: 'T=4 seed 2', state: 'retrying', attempts: 1, failedReason: 'job stalled more than allowable limit' },
    {
      label: 'T=8 seed 1',
      state: 'failed',
      attempts: 1,
      failedReason: 'strategies[0].options.temperature: expected a number > 0\nmore',
    },
    { label: 'T=8 seed 2', state: 'waiting', attempts: 0 },
  ],
  workers: ['lab-1', 'lab-2'],
  etaSeconds: 240,
};

describe('formatStudyStatus', () => {
  it('leads with the counts, the workers and the time left, then names what runs, retries or failed', () => {
    expect(formatStudyStatus(status)).toEqual([
      'kd-sweep (kd-sweep-m3x1): running — setup 1/1, 2/6 runs done, 1 running, 1 to retry, 1 failed; 2 workers connected; about 4 min left',
      '  running  T=4 seed 1 on lab-1: stage seed1-student, epoch 3/10',
      '  retrying T=4 seed 2 (attempt 2): job stalled more than allowable limit',
      '  failed   T=8 seed 1: strategies[0].options.temperature: expected a number > 0',
    ]);
  });

  it('says a study without setup jobs and without runs done yet has no estimate', () => {
    const fresh: StudyStatus = {
      ...status,
      setup: [],
      runs: [{ label: 'seed 1', state: 'waiting', attempts: 0 }],
      workers: ['one'],
    };
    const { etaSeconds: _eta, ...withoutEta } = fresh;
    expect(formatStudyStatus(withoutEta)).toEqual([
      'kd-sweep (kd-sweep-m3x1): running — 0/1 runs done, 0 running, 0 failed; 1 worker connected',
    ]);
  });
});
