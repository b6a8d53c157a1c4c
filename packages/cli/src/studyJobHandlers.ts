import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import type { JobReporter, StudyHandlers } from '@distillery/queue';
import { stringify } from 'yaml';
import { cachedDataLoader } from './cachedDataLoader.js';
import type { ExperimentJob } from './ExperimentJob.js';
import { finishedSummary } from './finishedSummary.js';
import { JobProgressReporter } from './JobProgressReporter.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import { prepareExperiment } from './prepareExperiment.js';
import type { RunInterruption } from './RunInterruption.js';
import { runSeed } from './runSeed.js';
import type { SeedOutcome } from './SeedOutcome.js';
import type { StudyJob, StudyPlace } from './StudyJob.js';
import type { SweepPlanPoint } from './SweepPlanPoint.js';
import type { SweepPoint } from './SweepPoint.js';
import { stageNames } from './stageNames.js';
import { summarizeRun } from './summarizeRun.js';
import { sweepPointOf } from './sweepPointOf.js';
import { trainSeedStages } from './trainSeedStages.js';
import { writeSweepResults } from './writeSweepResults.js';

export interface WorkerContext {
  readonly worker: string;
  /** How long a silent holder of a stage lease is presumed alive: the worker's stalled-job time. */
  readonly leaseSeconds: number;
  readonly log: (line: string) => void;
  /** Each running job's, so that Ctrl-C on the worker saves their state before it stops. */
  readonly interruptions: Set<RunInterruption>;
  readonly newInterruption: () => RunInterruption;
}

/**
 * What a `distillery worker` does with each job of a queued study (see `planStudy`): everything from the job's data
 * and the files every worker sees, with plugins resolved from this worker's installation. A seed's metrics go to
 * `metrics/seed<k>.jsonl` of its point, rewritten by each attempt, and the summary joins them into metrics.jsonl.
 */
export function studyJobHandlers(context: WorkerContext): StudyHandlers<StudyJob> {
  const loadData = cachedDataLoader();
  const prepare = (place: StudyPlace, point: SweepPlanPoint) =>
    prepareExperiment(point.config, place.baseDirectory, point.name, point.directory, loadData);
  const jobOf = (place: StudyPlace, point: SweepPlanPoint, seed: number, metricsPath?: string): ExperimentJob => ({
    name: point.name,
    config: point.config,
    seed,
    baseDirectory: place.baseDirectory,
    runDirectory: point.directory,
    stageRoot: place.stageRoot,
    stageLayout: place.stageLayout,
    worker: context.worker,
    leaseSeconds: context.leaseSeconds,
    ...(metricsPath === undefined ? {} : { metricsPath }),
  });
  const withPrepared = async <T>(
    place: StudyPlace,
    point: SweepPlanPoint,
    reporter: JobReporter,
    prefix: string,
    work: (prepared: PreparedExperiment, progress: JobProgressReporter, interruption: RunInterruption) => Promise<T>,
  ): Promise<T> => {
    const prepared = await prepare(place, point);
    const progress = new JobProgressReporter(prefix, context.log, (state) => reporter.progress(state));
    const interruption = context.newInterruption();
    context.interruptions.add(interruption);
    try {
      return await work(prepared, progress, interruption);
    } finally {
      context.interruptions.delete(interruption);
      for (const model of prepared.fileTeachers.values()) model.dispose();
    }
  };

  return {
    async setup(job, reporter) {
      if (job.step !== 'setup') throw new DistilleryError(`queue: a ${job.step} job was handed to setup`);
      const { place, point, seed, stages } = job;
      const prefix = `seed ${seed} ${stages}`;
      await withPrepared(place, point, reporter, prefix, async (prepared, progress, interruption) => {
        const wanted =
          stages === 'baseline'
            ? (stage: string) => stage === stageNames.baseline(seed)
            : (stage: string) => stage.startsWith(stageNames.teacher(seed, ''));
        // Progress lines only: a point's run logs these stages' curves in its metrics when it reuses them.
        const results = await trainSeedStages(
          { ...prepared, directory: place.directory },
          jobOf(place, point, seed, join(place.stageRoot, 'setup-metrics', `${prefix.replaceAll(' ', '-')}.jsonl`)),
          progress,
          interruption,
          wanted,
        );
        for (const result of results) result.model.dispose();
      });
    },

    async run(job, reporter) {
      if (job.step !== 'run') throw new DistilleryError(`queue: a ${job.step} job was handed to run`);
      const { place, point, seed } = job;
      return withPrepared(
        place,
        point,
        reporter,
        `${point.label || point.name} seed ${seed}`,
        async (prepared, progress, interruption) => {
          await mkdir(join(point.directory, 'metrics'), { recursive: true });
          await writeFile(join(point.directory, 'config.yaml'), stringify(point.config));
          const runOrigin = { configPath: place.configPath, baseDirectory: place.baseDirectory };
          await writeFileAtomic(join(point.directory, 'run.json'), `${JSON.stringify(runOrigin, null, 2)}\n`);
          // Each attempt writes the seed's metrics afresh: a resumed stage logs the epochs it had done again.
          const metricsPath = join(point.directory, 'metrics', `seed${seed}.jsonl`);
          await rm(metricsPath, { force: true });
          const outcome = await runSeed(prepared, jobOf(place, point, seed, metricsPath), progress, interruption);
          return { seed, worker: outcome.worker, studentAccuracy: outcome.accuracy.student ?? null };
        },
      );
    },

    async summary(job) {
      if (job.step !== 'summary') throw new DistilleryError(`queue: a ${job.step} job was handed to summary`);
      const { place, points } = job;
      const swept: SweepPoint[] = [];
      for (const point of points) {
        const summary = (point.kept ? await finishedSummary(point.directory) : undefined) ?? (await summarizePoint(point));
        swept.push(sweepPointOf(point.settings, point.directory, summary));
      }
      if (place.kind === 'run') return { directory: place.directory };
      const best = await writeSweepResults(place.directory, place.name, place.grid ?? {}, swept);
      return { directory: place.directory, best };
    },
  };
}

/** summary.json and report.html of a point whose seeds ran as separate jobs. */
async function summarizePoint(point: SweepPlanPoint) {
  const outcomes: SeedOutcome[] = [];
  for (const seed of point.config.seeds) {
    const path = join(point.directory, 'seeds', `${seed}.json`);
    outcomes.push(
      JSON.parse(
        await readFile(path, 'utf8').catch(() => {
          throw new Error(`${path} is missing although its job finished`);
        }),
      ) as SeedOutcome,
    );
  }
  const files = (await readdir(join(point.directory, 'metrics')).catch(() => [] as string[])).filter((name) =>
    /^seed\d+\.jsonl$/.test(name),
  );
  const bySeed = (name: string) => point.config.seeds.indexOf(Number(name.slice(4, -6)));
  const metrics = await Promise.all(
    files.sort((a, b) => bySeed(a) - bySeed(b)).map((name) => readFile(join(point.directory, 'metrics', name), 'utf8')),
  );
  await writeFileAtomic(join(point.directory, 'metrics.jsonl'), metrics.join(''));
  // Seeds ran apart, perhaps at once on several machines: their summed time is the run's cost, not its span.
  const wallSeconds = outcomes.reduce((total, outcome) => total + outcome.wallSeconds, 0);
  return summarizeRun({ config: point.config, name: point.name, directory: point.directory }, outcomes, wallSeconds);
}
