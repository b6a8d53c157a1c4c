import { hostname } from 'node:os';
import { loadBackends } from '@distillery/node';
import { optionalPackage } from './optionalPackage.js';
import { RunInterruption } from './RunInterruption.js';
import { studyJobHandlers } from './studyJobHandlers.js';

export interface WorkerOptions {
  readonly queue: string;
  readonly name?: string;
  readonly concurrency?: number;
  readonly stalledSeconds?: number;
  readonly log: (line: string) => void;
}

/**
 * `distillery worker --queue redis://…`: runs study jobs until stopped. Ctrl-C (or SIGTERM) lets each running stage
 * save its checkpoint and hands its job back (another worker continues it), then the worker leaves; a second one quits at once.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const queue = await optionalPackage(() => import('@distillery/queue'), '@distillery/queue', 'distillery worker');
  const connection = queue.parseQueueUrl(options.queue);
  await loadBackends();
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const stalledSeconds = options.stalledSeconds ?? 30;
  const interruptions = new Set<RunInterruption>();
  const worker = queue.startStudyWorker(
    connection,
    studyJobHandlers({
      worker: name,
      leaseSeconds: stalledSeconds,
      log: options.log,
      interruptions,
      newInterruption: () => new RunInterruption(),
    }),
    { name, ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }), stalledSeconds },
  );
  worker.on('failed', (job, error) => options.log(`job ${job?.id ?? '?'} failed: ${error.message.split('\n')[0]}`));
  worker.on('completed', (job) => options.log(`job ${job.id} done`));
  worker.on('error', (error) => options.log(`queue: ${error.message}`));
  options.log(`worker ${name} takes jobs from ${connection.display}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(130);
      stopping = true;
      options.log(`worker ${name}: saving running stages and leaving (Ctrl-C again to quit at once)`);
      for (const interruption of interruptions) interruption.request();
      void worker.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
