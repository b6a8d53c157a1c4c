import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ExperimentConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import type { ProgressReporter } from './ProgressReporter.js';
import { prepareExperiment } from './prepareExperiment.js';
import { readExperimentConfig } from './readExperimentConfig.js';
import { runPrepared } from './runPrepared.js';
import type { Summary } from './Summary.js';

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
}

export interface RunOutcome {
  readonly directory: string;
  readonly summary: Summary;
}

/**
 * `distillery run <config>`: validates the config and everything it refers to before writing, then
 * runs it. A run directory that holds a finished run (summary.json) is refused unless `overwrite`;
 * one left by an interrupted run is continued, its finished stages reused. When the run fails, the
 * directory keeps the error (error.txt), and a run that fails validation leaves nothing else there.
 */
export async function runExperiment(configPath: string, options: RunExperimentOptions): Promise<RunOutcome> {
  const { config, name, directory } = await readExperimentConfig(configPath, {
    ...(options.adjust === undefined ? {} : { adjust: options.adjust }),
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  const finished = await stat(join(directory, 'summary.json')).then(
    () => true,
    () => false,
  );
  if (finished && options.overwrite !== true) {
    throw new DistilleryError(
      `${directory} holds a finished run; pass --overwrite to replace it, or give the config another name`,
    );
  }
  try {
    const prepared = await prepareExperiment(config, dirname(resolve(configPath)), name);
    if (finished) await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new DistilleryError(
        `output: cannot create the run directory ${directory} (${error.code ?? error.message})`,
        'output',
      );
    });
    await rm(join(directory, 'error.txt'), { force: true });
    const summary = await runPrepared(prepared, options.progress, options.stageRoot);
    return { directory, summary };
  } catch (error) {
    const message = error instanceof DistilleryError ? error.message : String((error as Error).stack ?? error);
    await mkdir(directory, { recursive: true })
      .then(() => writeFileAtomic(join(directory, 'error.txt'), `${message}\n`))
      .catch(() => {
        // An output directory that cannot be written: the error still reaches the terminal.
      });
    throw error;
  }
}
