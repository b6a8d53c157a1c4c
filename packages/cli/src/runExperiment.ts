import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ExperimentConfig } from '@distillery/config';
import { DistilleryError, StrategyFailure, TrainingInterrupted } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import { describeConfigChanges } from './describeConfigChanges.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { prepareExperiment } from './prepareExperiment.js';
import type { RunInterruption } from './RunInterruption.js';
import { readExperimentConfig } from './readExperimentConfig.js';
import { runPrepared } from './runPrepared.js';
import type { Summary } from './Summary.js';
import { strategyFailureLines } from './strategyFailureLines.js';

export interface RunExperimentOptions {
  readonly progress: ProgressReporter;
  /** Replace a run directory that holds a finished run. */
  readonly overwrite?: boolean;
  /** Change the config before it runs (sweeps set one grid point). */
  readonly adjust?: (config: ExperimentConfig) => ExperimentConfig;
  /** Name of the run directory instead of the config's. */
  readonly name?: string;
  /** Keep stage outputs here instead of in the run directory (a sweep shares one across its points). */
  readonly stageRoot?: string;
  /** `by-fingerprint` for a store shared by runs whose stages of one name differ (a sweep's points). */
  readonly stageLayout?: 'by-name' | 'by-fingerprint';
  /** Ctrl-C: the training stage saves its state and stops. */
  readonly interruption?: RunInterruption;
}

export interface RunOutcome {
  readonly directory: string;
  readonly summary: Summary;
}

/**
 * `distillery run <config>`: validates the config and everything it refers to before writing, then
 * runs it. A run directory that holds a finished run (summary.json) is refused unless `overwrite`;
 * one left by an interrupted run is continued (its finished stages reused, its training stages from
 * their checkpoints) when the config is the same, and refused, naming what changed, when it is not.
 * When the run fails, the directory keeps the error (error.txt), and a run that fails validation
 * leaves nothing else there.
 */
export async function runExperiment(configPath: string, options: RunExperimentOptions): Promise<RunOutcome> {
  const { config, name, directory } = await readExperimentConfig(configPath, {
    ...(options.adjust === undefined ? {} : { adjust: options.adjust }),
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  return runInDirectory(
    config,
    { configPath: resolve(configPath), baseDirectory: dirname(resolve(configPath)), name, directory },
    options,
  );
}

/**
 * `distillery run --resume <run dir>`: continues an interrupted run with the config it was started
 * with (the directory's config.yaml; relative paths in it still resolve from the original config's folder).
 */
export async function resumeExperiment(runDirectory: string, options: RunExperimentOptions): Promise<RunOutcome> {
  const directory = resolve(runDirectory);
  const origin = await readFile(join(directory, 'run.json'), 'utf8').then(
    (text) => JSON.parse(text) as RunOrigin,
    () => {
      throw new DistilleryError(
        `${directory} is not a run directory (no run.json); --resume takes the folder a run printed last`,
      );
    },
  );
  if (await exists(join(directory, 'summary.json'))) {
    throw new DistilleryError(`${directory} holds a finished run; there is nothing to resume`);
  }
  const { config } = await readExperimentConfig(join(directory, 'config.yaml'));
  return runInDirectory(config, { ...origin, name: basename(directory), directory }, { ...options, overwrite: false });
}

/** Where a run's config came from, kept in run.json so that `--resume` resolves its paths as the run did. */
interface RunOrigin {
  readonly configPath: string;
  readonly baseDirectory: string;
}

async function runInDirectory(
  config: ExperimentConfig,
  where: RunOrigin & { readonly name: string; readonly directory: string },
  options: RunExperimentOptions,
): Promise<RunOutcome> {
  const { directory, name } = where;
  const finished = await exists(join(directory, 'summary.json'));
  if (finished && options.overwrite !== true) {
    throw new DistilleryError(
      `${directory} holds a finished run; pass --overwrite to replace it, or give the config another name`,
    );
  }
  if (!finished && options.overwrite !== true && (await exists(join(directory, 'config.yaml')))) {
    const previous = await readExperimentConfig(join(directory, 'config.yaml')).catch(() => undefined);
    if (previous !== undefined && !isDeepStrictEqual(previous.config, config)) {
      throw new DistilleryError(
        `${directory} holds an interrupted run made with another config (${describeConfigChanges(previous.config, config)}); ` +
          `continue it with distillery run --resume ${directory}, or pass --overwrite to start again`,
      );
    }
  }
  let prepared: PreparedExperiment | undefined;
  try {
    prepared = await prepareExperiment(config, where.baseDirectory, name, directory);
    if (options.overwrite === true) await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new DistilleryError(
        `output: cannot create the run directory ${directory} (${error.code ?? error.message})`,
        'output',
      );
    });
    await rm(join(directory, 'error.txt'), { force: true });
    const origin: RunOrigin = { configPath: where.configPath, baseDirectory: where.baseDirectory };
    await writeFileAtomic(join(directory, 'run.json'), `${JSON.stringify(origin, null, 2)}\n`);
    const summary = await runPrepared(prepared, options.progress, options.stageRoot, options.interruption, options.stageLayout);
    return { directory, summary };
  } catch (error) {
    if (error instanceof TrainingInterrupted) {
      throw new TrainingInterrupted(`${error.message}; continue with: distillery run --resume ${directory}`);
    }
    const message =
      error instanceof DistilleryError
        ? error.message
        : error instanceof StrategyFailure
          ? strategyFailureLines(error).join('\n')
          : String((error as Error).stack ?? error);
    await mkdir(directory, { recursive: true })
      .then(() => writeFileAtomic(join(directory, 'error.txt'), `${message}\n`))
      .catch(() => {
        // An output directory that cannot be written: the error still reaches the terminal.
      });
    throw error;
  } finally {
    // A sweep runs many experiments in one process: each one's loaded teachers (an ONNX session) go with it.
    for (const model of prepared?.fileTeachers.values() ?? []) model.dispose();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
