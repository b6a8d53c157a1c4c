import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Distiller, runStages, type StageResult } from '@distillery/core';
import { fileTeacherOutputStores, saveModel } from '@distillery/node';
import type { ExperimentJob } from './ExperimentJob.js';
import { experimentStages } from './experimentStages.js';
import type { MetricsRecord } from './MetricsRecord.js';
import { modelOfStage as modelOf } from './modelOfStage.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import type { ProgressReporter } from './ProgressReporter.js';
import type { RunInterruption } from './RunInterruption.js';
import { stageStoreFor } from './stageStoreFor.js';
import { teacherCacheDirectory } from './teacherCacheDirectory.js';

/**
 * Trains (or reuses from the store) one seed's stages, writing a metrics line per epoch and the model in training
 * after every epoch (`checkpoints/<stage>/`). `select` keeps some stages only: a queue's setup job trains the
 * stages every point of a sweep shares. The caller owns the models of the results.
 */
export async function trainSeedStages(
  prepared: PreparedExperiment,
  job: ExperimentJob,
  progress: ProgressReporter,
  interruption?: RunInterruption,
  select?: (stage: string) => boolean,
): Promise<StageResult[]> {
  const { config, data, directory } = prepared;
  const { seed } = job;
  const metricsPath = job.metricsPath ?? join(directory, 'metrics.jsonl');
  const store = stageStoreFor(job);
  await mkdir(dirname(metricsPath), { recursive: true });
  const logger = { info: (line: string) => progress.line(line), warn: (line: string) => progress.warning(line) };
  let current: { stage: string; model: string; distiller: Distiller } | undefined;
  return runStages(
    {
      stages: experimentStages(config, seed, data, prepared.fileTeachers, prepared.pretrainings).filter(
        (stage) => select === undefined || select(stage.name),
      ),
      plugins: [...prepared.plugins],
      backend: config.backend,
      logger,
      store,
      teacherOutputStores: fileTeacherOutputStores(teacherCacheDirectory(prepared, job.stageRoot)),
    },
    { train: data.train, validation: data.validation, id: data.id },
    {
      checkpointEverySteps: config.checkpointEverySteps,
      onStageBegin: (stage, distiller) => {
        current = { stage, model: modelOf(stage, seed), distiller };
        interruption?.attach(distiller);
        distiller.on('trainBegin', ({ epochs, stepsPerEpoch }) => progress.stageBegin(stage, epochs * stepsPerEpoch));
        distiller.on('batchEnd', (event) => progress.step(event));
      },
      callbacks: [
        {
          // A stage continued from its checkpoint logs the epochs it had finished before (metrics.jsonl
          // is rewritten by each run).
          onTrainBegin: async ({ resumedFrom }) => {
            if (current === undefined || resumedFrom === undefined) return;
            const stage = current;
            const lines = resumedFrom.history.map((metrics) =>
              JSON.stringify({ seed, stage: stage.stage, model: stage.model, ...metrics }),
            );
            if (lines.length > 0) await appendFile(metricsPath, `${lines.join('\n')}\n`);
          },
          onEpochEnd: async ({ metrics }) => {
            if (current === undefined) return;
            const record: MetricsRecord = { seed, stage: current.stage, model: current.model, ...metrics };
            await appendFile(metricsPath, `${JSON.stringify(record)}\n`);
            await saveModel(current.distiller.student.model, join(directory, 'checkpoints', current.stage));
          },
        },
      ],
      onStageEnd: async (result) => {
        interruption?.detach();
        progress.stageEnd(result);
        // A stage reused from the store (a sweep's teachers, a resumed run's finished stages) still has its curves.
        if (result.reused && result.history.length > 0) {
          const model = modelOf(result.name, seed);
          const lines = result.history.map((metrics) => JSON.stringify({ seed, stage: result.name, model, ...metrics }));
          await appendFile(metricsPath, `${lines.join('\n')}\n`);
        }
      },
    },
  );
}
