import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DistilleryError } from '@distillery/core';
import type { StudyStatus } from '@distillery/queue';
import { finishedSummary } from './finishedSummary.js';
import type { GridValue } from './GridValue.js';
import { optionalPackage } from './optionalPackage.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { planStudy } from './planStudy.js';
import { planSweep } from './planSweep.js';
import { prepareExperiment } from './prepareExperiment.js';
import { readExperimentConfig } from './readExperimentConfig.js';
import type { StudyPlace } from './StudyJob.js';
import type { SweepPlanPoint } from './SweepPlanPoint.js';

export interface SubmitOptions {
  readonly queue: string;
  readonly progress: ProgressReporter;
  readonly overwrite?: boolean;
  /** Enqueue and return at once (the study goes on on the workers); otherwise wait for it, printing its progress. */
  readonly detach?: boolean;
}

export interface SubmittedStudy {
  readonly id: string;
  readonly directory: string;
  /** The summary job's value, when waited for. */
  readonly result?: unknown;
}

/**
 * `distillery sweep … --queue redis://…` and `distillery run … --queue …`: checks the config here (plugins, data,
 * models, every grid point) so a bad one fails before anything is queued, then enqueues the study's jobs. Paths are
 * resolved to absolute ones, since workers read them from storage every machine sees, mounted at the same place.
 */
export async function submitStudy(
  configPath: string,
  grid: Readonly<Record<string, readonly GridValue[]>> | undefined,
  options: SubmitOptions,
): Promise<SubmittedStudy> {
  const queue = await optionalPackage(() => import('@distillery/queue'), '@distillery/queue', '--queue');
  const connection = queue.parseQueueUrl(options.queue);
  const baseDirectory = dirname(resolve(configPath));
  let place: StudyPlace;
  let points: SweepPlanPoint[];
  if (grid === undefined) {
    const { config, name, directory } = await readExperimentConfig(configPath);
    place = placeOf('run', name, directory, configPath, directory, 'by-name');
    points = [{ settings: {}, label: '', name, directory, config }];
  } else {
    const plan = await planSweep(configPath, grid);
    place = { ...placeOf('sweep', plan.name, plan.directory, configPath, plan.directory, 'by-fingerprint'), grid };
    points = plan.points;
  }
  const first = points[0] as SweepPlanPoint;
  const prepared = await prepareExperiment(first.config, baseDirectory, first.name, first.directory);
  for (const model of prepared.fileTeachers.values()) model.dispose();

  const planned: (SweepPlanPoint & { kept: boolean })[] = [];
  for (const point of points) {
    const finished = await finishedSummary(point.directory);
    if (finished !== undefined && options.overwrite !== true) {
      if (grid === undefined) {
        throw new DistilleryError(
          `${point.directory} holds a finished run; pass --overwrite to replace it, or give the config another name`,
        );
      }
      options.progress.line(`${point.label}: finished earlier, kept`);
      planned.push({ ...point, kept: true });
      continue;
    }
    if (options.overwrite === true) await rm(point.directory, { recursive: true, force: true });
    planned.push({ ...point, kept: false });
  }
  const id = `${place.name.replace(/[^\w.-]+/g, '-')}-${Date.now().toString(36)}`;
  const study = planStudy(id, place, planned);
  await queue.enqueueStudy(connection, study);
  options.progress.line(
    `queued ${study.id} on ${connection.display}: ${study.setup.length} setup jobs, ${study.runs.length} runs; watch it with distillery status --queue ${connection.display}`,
  );
  if (options.detach === true) return { id, directory: place.directory };
  const result = await queue.followStudy(connection, id, {
    onStatus: reportChanges(options.progress, queue.formatStudyStatus),
    onUnreachable: (reason) => options.progress.line(`queue unreachable, trying again: ${reason}`),
  });
  return { id, directory: place.directory, result };
}

function placeOf(
  kind: StudyPlace['kind'],
  name: string,
  directory: string,
  configPath: string,
  stageRoot: string,
  stageLayout: StudyPlace['stageLayout'],
): StudyPlace {
  return {
    kind,
    name,
    directory,
    baseDirectory: dirname(resolve(configPath)),
    configPath: resolve(configPath),
    stageRoot,
    stageLayout,
  };
}

/** The status's first line each time it changes, so a log shows the study's course without repeating itself. */
function reportChanges(progress: ProgressReporter, format: (status: StudyStatus) => string[]) {
  let last = '';
  return (status: StudyStatus) => {
    const [headline] = format(status);
    const counts = (headline ?? '').replace(/; about .* left$/, '');
    if (counts !== last) progress.line(headline ?? '');
    last = counts;
  };
}
