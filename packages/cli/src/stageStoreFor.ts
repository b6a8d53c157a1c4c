import { FileStageStore } from '@distillery/node';
import type { ExperimentJob } from './ExperimentJob.js';

/** The stage store a job trains into: its stage root, laid out and leased as the job says. */
export function stageStoreFor(job: ExperimentJob): FileStageStore {
  return new FileStageStore(job.stageRoot, {
    layout: job.stageLayout ?? 'by-name',
    ...(job.worker === undefined ? {} : { owner: job.worker }),
    ...(job.leaseSeconds === undefined ? {} : { leaseSeconds: job.leaseSeconds }),
  });
}
