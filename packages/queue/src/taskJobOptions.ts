import type { RetryPolicy } from './RetryPolicy.js';

/**
 * A setup or run job's BullMQ options: its fixed id (adding it twice adds it once), retries with exponential
 * backoff, and failing its study when it fails for good, so the study never waits on a job that will not finish.
 */
export function taskJobOptions(jobId: string, retry: RetryPolicy) {
  return {
    jobId,
    attempts: retry.attempts,
    backoff: { type: 'exponential' as const, delay: retry.backoffSeconds * 1000 },
    failParentOnFailure: true,
  };
}
