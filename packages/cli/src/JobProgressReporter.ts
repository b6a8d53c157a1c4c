import type { BatchEndEvent } from '@distillery/core';
import { ProgressReporter } from './ProgressReporter.js';

/**
 * A queue job's progress: lines in the worker's log, prefixed with the job, and where it stands (stage, epoch, share
 * of the stage's steps) for `distillery status`.
 */
export class JobProgressReporter extends ProgressReporter {
  private stage = '';
  private steps = 0;
  private done = 0;

  constructor(
    prefix: string,
    write: (line: string) => void,
    private readonly report: (state: Readonly<Record<string, string | number>>) => void,
  ) {
    super('lines', (line) => write(`[${prefix}] ${line}`));
  }

  override stageBegin(stage: string, totalSteps: number): void {
    this.stage = stage;
    this.steps = totalSteps;
    this.done = 0;
    this.report({ stage, epoch: 1, step: 0, steps: totalSteps });
  }

  override step(event: BatchEndEvent): void {
    this.done += 1;
    this.report({ stage: this.stage, epoch: event.epoch + 1, step: this.done, steps: this.steps });
  }
}
