import { FlowProducer } from 'bullmq';
import type { QueueConnection } from './QueueConnection.js';
import { defaultRetryPolicy, type RetryPolicy } from './RetryPolicy.js';
import { redisOptions } from './redisOptions.js';
import type { StudyFlow } from './StudyFlow.js';
import type { SummaryJobData, TaskJobData } from './StudyJobData.js';
import { studyQueueName } from './studyQueueName.js';
import { taskJobOptions } from './taskJobOptions.js';

/**
 * Puts a study on the queue as one BullMQ flow: the summary job with the setup jobs as its children, so that it
 * starts only when they are done; it then adds the runs as its children and waits for them (see
 * `startStudyWorker`). Runs cannot be children of the setup jobs, since a flow is a tree and every run needs
 * every setup job of its seed.
 */
export async function enqueueStudy<Data>(
  connection: QueueConnection,
  flow: StudyFlow<Data>,
  retry: RetryPolicy = defaultRetryPolicy,
): Promise<void> {
  if (/[:\s]/.test(flow.id)) throw new Error(`study id '${flow.id}': BullMQ job ids may not hold ':' or spaces`);
  const producer = new FlowProducer({ connection: redisOptions(connection, 'client') });
  try {
    const summary: SummaryJobData<Data> = {
      study: flow.id,
      name: flow.name,
      setupLabels: flow.setup.map((task) => task.label),
      runs: flow.runs,
      summary: flow.summary,
      retry,
      step: 'setup',
    };
    await producer.add({
      name: 'summary',
      queueName: studyQueueName,
      data: summary,
      opts: { jobId: flow.id, attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffSeconds * 1000 } },
      children: flow.setup.map((task, i) => {
        const data: TaskJobData<Data> = { study: flow.id, label: task.label, payload: task.data };
        return { name: 'setup', queueName: studyQueueName, data, opts: taskJobOptions(`${flow.id}.setup.${i}`, retry) };
      }),
    });
  } finally {
    await producer.close();
  }
}
