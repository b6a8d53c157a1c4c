import { join, resolve } from 'node:path';
import type { PreparedExperiment } from './PreparedExperiment.js';

/** Where a seed's teacher-output caches go: the config's `teacherCacheDir` (shared by the runs naming it), else the run's own. */
export function teacherCacheDirectory(prepared: PreparedExperiment, stageRoot: string): string {
  const shared = prepared.config.teacherCacheDir;
  return shared === undefined ? join(stageRoot, 'teacher-cache') : resolve(prepared.baseDirectory, shared);
}
