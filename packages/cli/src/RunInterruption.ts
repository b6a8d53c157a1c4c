import type { Distiller } from '@distillery/core';

/**
 * Ctrl-C for a run: the stage training when it comes (or the next one to start) finishes its current
 * batch, saves its state and stops, so `distillery run --resume` continues from there.
 */
export class RunInterruption {
  private distiller: Distiller | undefined;
  private requestedAt: number | undefined;

  get requested(): boolean {
    return this.requestedAt !== undefined;
  }

  /** The distiller now training; interrupted at once if the run was asked to stop before it started. */
  attach(distiller: Distiller): void {
    this.distiller = distiller;
    if (this.requested) distiller.interrupt();
  }

  detach(): void {
    this.distiller = undefined;
  }

  /** Asks the run to stop; says whether a stage is training (and will save its state) to stop gracefully. */
  request(): boolean {
    this.requestedAt ??= Date.now();
    this.distiller?.interrupt();
    return this.distiller !== undefined;
  }
}
