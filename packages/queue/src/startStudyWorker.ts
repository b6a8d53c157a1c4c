import { type Job, Queue, WaitingChildrenError, Worker } from 'bullmq';
import type { JobReporter } from './JobReporter.js';
import { jobFailure } from './jobFailure.js';
import type { QueueConnection } from './QueueConnection.js';
import { redisOptions } from './redisOptions.js';
import type { StudyHandlers } from './StudyHandlers.js';
import type { SummaryJobData, TaskJobData } from './StudyJobData.js';
import { studyQueueName } from './studyQueueName.js';
import { taskJobOptions } from './taskJobOptions.js';

export interface StudyWorkerOptions {
  /** Shown by `distillery status` and in reports; unique per worker. */
  readonly name: string;
  /** Jobs this process runs at once (training is CPU-bound: on CPUs run one per process, and a process per core group). */
  readonly concurrency?: number;
  /**
   * A worker silent this long (killed, cut off) is presumed dead: its job goes back to the queue for another worker,
   * which continues from the stage's latest checkpoint. The job's lock is renewed every half of it.
   */
  readonly stalledSeconds?: number;
}

/**
 * Runs study jobs until closed. The summary job runs twice: once its setup children are done, it adds the runs as
 * children and waits (BullMQ's waiting-children step); once they are done, it runs `handlers.summary`.
 */
export function startStudyWorker<Data>(
  connection: QueueConnection,
  handlers: StudyHandlers<Data>,
  options: StudyWorkerOptions,
): Worker {
  const stalledMs = (options.stalledSeconds ?? 30) * 1000;
  const queue = new Queue(studyQueueName, { connection: redisOptions(connection, 'worker') });
  const worker = new Worker(
    studyQueueName,
    async (job: Job, token?: string) => {
      const reporter = reporterFor(job, options.name);
      try {
        if (job.name === 'setup') {
          await handlers.setup((job.data as TaskJobData<Data>).payload, reporter);
          return null;
        }
        if (job.name === 'run') return await handlers.run((job.data as TaskJobData<Data>).payload, reporter);
      } catch (error) {
        throw jobFailure(error);
      }
      if (job.name !== 'summary') throw new Error(`job ${job.id}: unknown job name '${job.name}'`);
      const data = job.data as SummaryJobData<Data>;
      if (data.step === 'setup') {
        await queue.addBulk(
          data.runs.map((task, i) => {
            const runData: TaskJobData<Data> = { study: data.study, label: task.label, payload: task.data };
            return {
              name: 'run',
              data: runData,
              opts: {
                ...taskJobOptions(`${data.study}.run.${i}`, data.retry),
                parent: { id: job.id as string, queue: job.queueQualifiedName },
              },
            };
          }),
        );
        await job.updateData({ ...data, step: 'runs' });
      }
      if (await job.moveToWaitingChildren(token as string)) throw new WaitingChildrenError();
      try {
        return await handlers.summary(data.summary, reporter);
      } catch (error) {
        throw jobFailure(error);
      }
    },
    {
      connection: redisOptions(connection, 'worker'),
      name: options.name,
      concurrency: options.concurrency ?? 1,
      lockDuration: stalledMs,
      stalledInterval: stalledMs,
      // A job whose worker was killed goes back to the queue; only one that keeps killing workers fails.
      maxStalledCount: 3,
    },
  );
  worker.on('closed', () => {
    void queue.close();
  });
  return worker;
}

function reporterFor(job: Job, worker: string): JobReporter {
  let sentAt = 0;
  return {
    worker,
    progress(state) {
      const now = Date.now();
      if (now - sentAt < 250) return;
      sentAt = now;
      // Progress is for people watching; a Redis hiccup must not fail the training that reports it.
      job.updateProgress({ ...state, worker }).catch(() => undefined);
    },
  };
}
