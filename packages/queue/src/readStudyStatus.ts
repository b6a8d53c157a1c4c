import { DistilleryError } from '@distillery/core';
import { Job, Queue } from 'bullmq';
import type { QueueConnection } from './QueueConnection.js';
import { redisOptions } from './redisOptions.js';
import type { SummaryJobData } from './StudyJobData.js';
import type { StudyStatus, TaskStatus } from './StudyStatus.js';
import { studyQueueName } from './studyQueueName.js';

/**
 * The status of one study, or of the latest `limit` studies on the queue, newest first. A Redis that cannot be
 * reached is one line naming it (password hidden).
 */
export async function readStudyStatus(connection: QueueConnection, id?: string, limit = 5): Promise<StudyStatus[]> {
  const queue = new Queue(studyQueueName, { connection: redisOptions(connection, 'client') });
  try {
    const summaries =
      id === undefined
        ? (await queue.getJobs(['waiting-children', 'active', 'wait', 'delayed', 'prioritized', 'completed', 'failed'], 0, 500))
            .filter((job) => job.name === 'summary')
            .sort((a, b) => b.timestamp - a.timestamp)
            .slice(0, limit)
        : [await Job.fromId(queue, id)].filter((job): job is Job => job !== undefined);
    if (id !== undefined && summaries.length === 0) {
      throw new DistilleryError(`status: no study '${id}' on ${connection.display}`);
    }
    // A worker's client is named `<prefix>:<queue, base64>:w:<worker name>`; a worker may hold several.
    const workers = [
      ...new Set((await queue.getWorkers()).map((client) => (client.rawname ?? '').split(':w:')[1]).filter(Boolean)),
    ] as string[];
    return await Promise.all(summaries.map((job) => statusOf(queue, job, workers)));
  } catch (error) {
    if (error instanceof DistilleryError) throw error;
    throw new DistilleryError(`--queue: cannot read the queue at ${connection.display}: ${(error as Error).message}`);
  } finally {
    await queue.close();
  }
}

async function statusOf(queue: Queue, listed: Job, workers: readonly string[]): Promise<StudyStatus> {
  const summaryState = await listed.getState();
  // Read again once finished: the listed copy may predate the value or the reason it finished with.
  const summary =
    summaryState === 'completed' || summaryState === 'failed'
      ? ((await Job.fromId(queue, listed.id as string)) ?? listed)
      : listed;
  const data = summary.data as SummaryJobData;
  const setup = await Promise.all(data.setupLabels.map((label, i) => taskStatus(queue, `${data.study}.setup.${i}`, label)));
  const runs = await Promise.all(
    data.runs.map((task, i) => taskStatus(queue, `${data.study}.run.${i}`, task.label, data.step === 'setup')),
  );
  const state: StudyStatus['state'] =
    summaryState === 'completed'
      ? 'done'
      : summaryState === 'failed'
        ? 'failed'
        : summaryState === 'active' && runs.every((run) => run.state === 'done')
          ? 'summarizing'
          : data.step === 'setup'
            ? setup.some((task) => task.state !== 'waiting')
              ? 'setting up'
              : 'waiting'
            : 'running';
  const done = runs.filter((run) => run.state === 'done' && run.seconds !== undefined);
  const left = runs.filter((run) => run.state !== 'done').length;
  const mean = done.reduce((total, run) => total + (run.seconds as number), 0) / done.length;
  return {
    id: data.study,
    name: data.name,
    state,
    setup,
    runs,
    workers,
    ...(done.length === 0 || state === 'done' ? {} : { etaSeconds: (mean * left) / Math.max(1, workers.length) }),
    ...(summaryState === 'completed' ? { result: summary.returnvalue } : {}),
    ...(summaryState === 'failed' && summary.failedReason !== undefined ? { failedReason: summary.failedReason } : {}),
  };
}

async function taskStatus(queue: Queue, jobId: string, label: string, notAddedYet = false): Promise<TaskStatus> {
  const job = notAddedYet ? undefined : await Job.fromId(queue, jobId);
  if (job === undefined) return { label, state: 'waiting', attempts: 0 };
  const jobState = await job.getState();
  const progress =
    typeof job.progress === 'object' && job.progress !== null ? (job.progress as Record<string, string | number>) : undefined;
  const state: TaskStatus['state'] =
    jobState === 'completed'
      ? 'done'
      : jobState === 'failed'
        ? 'failed'
        : jobState === 'active'
          ? 'running'
          : job.attemptsMade > 0 || job.failedReason !== undefined
            ? 'retrying'
            : 'waiting';
  const worker = job.processedBy ?? (typeof progress?.worker === 'string' ? progress.worker : undefined);
  return {
    label,
    state,
    ...(worker === undefined ? {} : { worker }),
    ...(progress === undefined || state === 'done' ? {} : { progress }),
    ...(job.failedReason === undefined || job.failedReason === '' ? {} : { failedReason: job.failedReason }),
    attempts: job.attemptsMade,
    ...(state === 'done' && job.processedOn !== undefined && job.finishedOn !== undefined
      ? { seconds: (job.finishedOn - job.processedOn) / 1000 }
      : {}),
  };
}
