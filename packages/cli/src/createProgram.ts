import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError, StrategyFailure, TrainingInterrupted } from '@distillery/core';
import { loadBackends } from '@distillery/node';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { cacheExperiment } from './cacheExperiment.js';
import { exportStudent } from './exportStudent.js';
import { formatStrategies } from './formatStrategies.js';
import { formatSummary } from './formatSummary.js';
import { inspectModel } from './inspectModel.js';
import { listStrategies } from './listStrategies.js';
import { loadStrategyFactories } from './loadStrategyFactories.js';
import { optionalPackage } from './optionalPackage.js';
import { ProgressReporter } from './ProgressReporter.js';
import { parseGrid } from './parseGrid.js';
import { RunInterruption } from './RunInterruption.js';
import { regenerateReport } from './regenerateReport.js';
import { resumeExperiment, runExperiment } from './runExperiment.js';
import { runWorker } from './runWorker.js';
import type { SweepPoint } from './SweepPoint.js';
import { settingLabel } from './settingLabel.js';
import { strategyFailureLines } from './strategyFailureLines.js';
import { submitStudy } from './submitStudy.js';
import { sweepExperiment } from './sweepExperiment.js';

export interface ProgramIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Exit codes: 0 done, 1 the experiment failed, 2 bad usage or bad input (config, files, data), 130 Ctrl-C. */
export const exitCodes = { ok: 0, failure: 1, badInput: 2, interrupted: 130 } as const;

/** The `distillery` command line, built per call so tests can run it in-process. */
export function createProgram(io: ProgramIo): Command {
  const program = new Command('distillery')
    .description('Knowledge distillation for TensorFlow.js: run experiments from config files.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  const quiet = new Option('-q, --quiet', 'no progress output (for CI)');

  program
    .command('run')
    .description('run an experiment; prints the summary, and the run directory last')
    .argument('[config]', 'experiment config, YAML or JSON')
    .addOption(quiet)
    .option('--overwrite', 'replace a finished (or interrupted) run of the same name')
    .option('--resume <run-dir>', 'continue an interrupted run from its checkpoints, with the config it started with')
    .option('--queue <redis-url>', 'run the seeds as jobs on this queue’s workers (redis://[user:password@]host:port)')
    .option('--detach', 'with --queue: enqueue and return; follow it with distillery status')
    .action(async (config: string | undefined, options: RunCommandOptions) => {
      if ((config === undefined) === (options.resume === undefined)) {
        throw new DistilleryError('run: give either a config file or --resume <run-dir>');
      }
      await loadBackends();
      const progress = ProgressReporter.for(options.quiet === true, io.err);
      if (options.queue !== undefined) {
        if (options.resume !== undefined) {
          throw new DistilleryError('run: --resume continues a run in this process; a queued run resumes on its own');
        }
        const submitted = await submitStudy(config as string, undefined, {
          queue: options.queue,
          progress,
          ...(options.overwrite ? { overwrite: true } : {}),
          ...(options.detach ? { detach: true } : {}),
        });
        if (submitted.result !== undefined) {
          io.out(formatSummary(JSON.parse(await readFile(join(submitted.directory, 'summary.json'), 'utf8'))));
        } else io.out(`queued ${submitted.id}`);
        io.out(submitted.directory);
        return;
      }
      const { directory, summary } = await whileInterruptible(io, (interruption) =>
        options.resume === undefined
          ? runExperiment(config as string, { progress, interruption, ...(options.overwrite ? { overwrite: true } : {}) })
          : resumeExperiment(options.resume, { progress, interruption }),
      );
      io.out(formatSummary(summary));
      io.out(directory);
    });

  program
    .command('cache')
    .description("compute the teachers' outputs on the training data ahead of `run`; prints where each seed's cache went")
    .argument('<config>', 'experiment config, YAML or JSON')
    .addOption(quiet)
    .action(async (config: string, options: { quiet?: boolean }) => {
      await loadBackends();
      const progress = ProgressReporter.for(options.quiet === true, io.err);
      const { directory, caches } = await cacheExperiment(config, { progress });
      for (const { seed, location } of caches) {
        io.out(`seed ${seed}: ${location ?? 'no teacher cache applies (see the line above)'}`);
      }
      io.out(directory);
    });

  program
    .command('inspect')
    .description('list a saved model’s layers, output shapes and parameter counts, to choose taps')
    .argument('<model-dir>', 'a tfjs model directory (model.json + weights.bin)')
    .action(async (directory: string) => {
      await loadBackends();
      io.out((await inspectModel(directory)).text);
    });

  program
    .command('strategies')
    .description('list the registered strategies: key, description, options with their types and defaults, and the paper')
    .option(
      '--plugins <plugins...>',
      'plugins to load besides task.ce and the installed @distillery/plugin-*: npm names or paths',
    )
    .option('--json', 'print the listing as JSON, with each strategy’s options as JSON Schema')
    .action(async (options: { plugins?: string[]; json?: boolean }) => {
      const listings = listStrategies(await loadStrategyFactories(options.plugins ?? []));
      io.out(options.json === true ? JSON.stringify(listings, null, 2) : formatStrategies(listings));
    });

  program
    .command('sweep')
    .description('run a config over a grid of settings and chart the student’s validation accuracy')
    .argument('<config>', 'experiment config, YAML or JSON')
    .option('--grid <name=values>', 'a parameter and its values: temperature, alpha or a config path (repeatable)', collect, [])
    .addOption(quiet)
    .option('--overwrite', 'replace finished runs of the same points')
    .option('--queue <redis-url>', 'run the points as jobs on this queue’s workers (redis://[user:password@]host:port)')
    .option('--detach', 'with --queue: enqueue and return; follow it with distillery status')
    .action(async (config: string, options: SweepCommandOptions) => {
      const grid = parseGrid(options.grid);
      await loadBackends();
      const progress = ProgressReporter.for(options.quiet === true, io.err);
      if (options.queue !== undefined) {
        const submitted = await submitStudy(config, grid, {
          queue: options.queue,
          progress,
          ...(options.overwrite ? { overwrite: true } : {}),
          ...(options.detach ? { detach: true } : {}),
        });
        const best = (submitted.result as { best?: SweepPoint } | undefined)?.best;
        io.out(best === undefined ? `queued ${submitted.id}` : chosenLine(best));
        io.out(submitted.directory);
        return;
      }
      const { directory, best } = await sweepExperiment(config, grid, {
        progress,
        ...(options.overwrite ? { overwrite: true } : {}),
      });
      io.out(chosenLine(best));
      io.out(directory);
    });

  program
    .command('worker')
    .description('run the jobs of queued studies (sweeps, seeds) until stopped; start one per machine or core group')
    .requiredOption('--queue <redis-url>', 'the queue: redis://[user:password@]host:port[/db], or rediss:// for TLS')
    .option('--name <name>', 'how status and reports name this worker (default <host>-<pid>)')
    .addOption(
      new Option('--concurrency <n>', 'jobs at once in this process (training is CPU-bound: keep 1)')
        .argParser(positiveInteger)
        .default(1),
    )
    .addOption(
      new Option('--stalled-after <seconds>', 'a worker silent this long is presumed dead and its job handed on')
        .argParser(positiveInteger)
        .default(30),
    )
    .action(async (options: { queue: string; name?: string; concurrency: number; stalledAfter: number }) => {
      await runWorker({
        queue: options.queue,
        ...(options.name === undefined ? {} : { name: options.name }),
        concurrency: options.concurrency,
        stalledSeconds: options.stalledAfter,
        log: io.err,
      });
    });

  program
    .command('status')
    .description('where queued studies stand: runs done, running (where, which epoch), failed and why, time left')
    .argument('[study]', 'a study id (default: the latest five)')
    .requiredOption('--queue <redis-url>', 'the queue: redis://[user:password@]host:port[/db], or rediss:// for TLS')
    .option('--json', 'print the status as JSON')
    .action(async (study: string | undefined, options: { queue: string; json?: boolean }) => {
      const queue = await optionalPackage(() => import('@distillery/queue'), '@distillery/queue', 'distillery status');
      const statuses = await queue.readStudyStatus(queue.parseQueueUrl(options.queue), study);
      if (options.json === true) io.out(JSON.stringify(statuses, null, 2));
      else if (statuses.length === 0) io.out('no studies on this queue');
      else for (const status of statuses) io.out(queue.formatStudyStatus(status).join('\n'));
    });

  program
    .command('report')
    .description('write report.html of a run directory again')
    .argument('<run-dir>')
    .action(async (directory: string) => {
      io.out(await regenerateReport(directory));
    });

  program
    .command('export')
    .description('export the run’s student with quantized weights')
    .argument('<run-dir>')
    .addOption(new Option('--quantize <type>', 'weight quantization').choices(['float16', 'uint8']).makeOptionMandatory())
    .action(async (directory: string, options: { quantize: 'float16' | 'uint8' }) => {
      const exported = await exportStudent(directory, options.quantize);
      io.out(`weights ${(exported.bytesBefore / 1024).toFixed(1)} KiB → ${(exported.bytesAfter / 1024).toFixed(1)} KiB`);
      io.out(exported.directory);
    });

  return program;
}

/** Runs the command line and returns the exit code; every user error is one line on stderr. */
export async function runProgram(argv: readonly string[], io: ProgramIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.badInput;
    }
    if (error instanceof DistilleryError) {
      io.err(`error: ${error.message}`);
      return exitCodes.badInput;
    }
    if (error instanceof StrategyFailure) {
      // A bug in a plugin, not in the config: one line naming it, then where in its code, for its author.
      const [headline, ...frames] = strategyFailureLines(error);
      io.err(`error: ${headline}`);
      if (frames.length > 0) io.err(frames.join('\n'));
      return exitCodes.failure;
    }
    if (error instanceof TrainingInterrupted) {
      io.err(`interrupted: ${error.message}`);
      return exitCodes.interrupted;
    }
    io.err(`error: the experiment failed: ${(error as Error).stack ?? String(error)}`);
    return exitCodes.failure;
  }
}

interface RunCommandOptions {
  quiet?: boolean;
  overwrite?: boolean;
  resume?: string;
  queue?: string;
  detach?: boolean;
}

interface SweepCommandOptions {
  grid: string[];
  quiet?: boolean;
  overwrite?: boolean;
  queue?: string;
  detach?: boolean;
}

function chosenLine(best: SweepPoint): string {
  return `chosen on validation: ${settingLabel(best.settings)} (${(100 * best.accuracy).toFixed(2)}% validation, ${(100 * best.testAccuracy).toFixed(2)}% test)`;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got '${text}'`);
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Runs `work` with Ctrl-C turned into a graceful stop: the first SIGINT lets the training stage finish
 * its batch and save its state (the run then ends with exit code 130); a second, or one while no stage
 * is training, ends the process at once.
 */
async function whileInterruptible<T>(io: ProgramIo, work: (interruption: RunInterruption) => Promise<T>): Promise<T> {
  const interruption = new RunInterruption();
  const onSigint = () => {
    if (!interruption.requested && interruption.request()) {
      io.err('stopping after the current batch to save a checkpoint (Ctrl-C again to quit at once)');
      return;
    }
    process.exit(exitCodes.interrupted);
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(interruption);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
