import type { DataConfig } from '@distillery/config';
import type { ExperimentData } from './ExperimentData.js';
import { loadExperimentData } from './loadExperimentData.js';

/**
 * `loadExperimentData` keeping the last dataset it read: a worker's jobs are mostly points of one sweep on the same
 * data, and reading CIFAR or MNIST again for each would be most of a short job's overhead. Datasets are plain
 * arrays, never disposed, so sharing one between jobs is safe; only the last is kept, to bound memory.
 */
export function cachedDataLoader(): typeof loadExperimentData {
  let last: { key: string; data: Promise<ExperimentData> } | undefined;
  return (config: DataConfig, baseDirectory: string) => {
    const key = JSON.stringify([config, baseDirectory]);
    if (last?.key !== key) {
      const data = loadExperimentData(config, baseDirectory);
      last = { key, data };
      // A failed read is not kept: the next job reads again (and reports the error itself).
      data.catch(() => {
        if (last?.data === data) last = undefined;
      });
    }
    return last.data;
  };
}
