import { DistilleryError } from '@distillery/core';
import type { QueueConnection } from './QueueConnection.js';
import { readStudyStatus } from './readStudyStatus.js';
import type { StudyStatus } from './StudyStatus.js';

/**
 * Waits for a study to finish, calling `onStatus` every `everySeconds` (Redis may restart meanwhile: a failed read
 * is reported through `onUnreachable` and tried again). Resolves with the summary job's value; a failed study rejects
 * with one line naming the jobs that failed and why.
 */
export async function followStudy(
  connection: QueueConnection,
  id: string,
  callbacks: { readonly onStatus?: (status: StudyStatus) => void; readonly onUnreachable?: (reason: string) => void },
  everySeconds = 2,
): Promise<unknown> {
  for (;;) {
    let status: StudyStatus | undefined;
    try {
      [status] = await readStudyStatus(connection, id);
    } catch (error) {
      callbacks.onUnreachable?.((error as Error).message);
    }
    if (status !== undefined) {
      callbacks.onStatus?.(status);
      if (status.state === 'done') return status.result;
      if (status.state === 'failed') {
        const failed = [...status.setup, ...status.runs].filter((task) => task.state === 'failed');
        const reasons = failed.map((task) => `${task.label}: ${(task.failedReason ?? '').split('\n')[0]}`);
        throw new DistilleryError(
          `study ${id} failed: ${reasons.length > 0 ? reasons.join('; ') : (status.failedReason ?? 'no reason recorded').split('\n')[0]}`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, everySeconds * 1000));
  }
}
