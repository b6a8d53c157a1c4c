import type { BatchEndEvent, StageResult } from '@distillery/core';
import { SingleBar } from 'cli-progress';
import { describeLosses } from './describeLosses.js';

/**
 * Tells a person how a run goes: on a terminal a progress bar per stage with its ETA, elsewhere
 * (CI logs) one line per finished stage, and nothing at all when quiet.
 */
export class ProgressReporter {
  private bar: SingleBar | undefined;

  constructor(
    private readonly mode: 'bar' | 'lines' | 'quiet',
    private readonly write: (line: string) => void,
  ) {}

  static for(quiet: boolean, write: (line: string) => void, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
    return new ProgressReporter(quiet ? 'quiet' : stream.isTTY ? 'bar' : 'lines', write);
  }

  stageBegin(stage: string, totalSteps: number): void {
    if (this.mode !== 'bar') return;
    this.bar = new SingleBar({
      format: `${stage.padEnd(28)} {bar} {percentage}% | epoch {epoch} | loss {loss} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    });
    this.bar.start(totalSteps, 0, { epoch: 1, loss: '…' });
  }

  /** Advances the bar by one batch; the losses are formatted only when a bar shows them. */
  step(event: BatchEndEvent): void {
    this.bar?.increment({ epoch: event.epoch + 1, loss: describeLosses(event) });
  }

  stageEnd(result: StageResult): void {
    this.bar?.stop();
    this.bar = undefined;
    if (this.mode === 'quiet') return;
    const accuracy =
      result.evaluation === undefined ? '' : `, validation accuracy ${(100 * result.evaluation.accuracy).toFixed(2)}%`;
    const how = result.reused ? 'reused from an earlier run' : `${result.history.length} epochs`;
    this.write(`${result.name}: ${how}${accuracy}`);
  }

  line(text: string): void {
    if (this.mode !== 'quiet') this.write(text);
  }

  /** Shown even when quiet: something the user should fix. */
  warning(text: string): void {
    this.write(`warning: ${text}`);
  }
}
