import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { decodeTrainingState } from '@distillery/node';

/**
 * Polls `checkpoint` (a stage's state.ckpt) until it holds a state from the middle of an epoch after the first, while
 * `child` runs: the moment kill-and-resume tests strike. Throws if the run ends first.
 */
export async function midEpochCheckpoint(checkpoint: string, child: ChildProcess): Promise<{ epoch: number; batch: number }> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the run ended (code ${child.exitCode}) before a mid-epoch checkpoint`);
    const bytes = await readFile(checkpoint).catch(() => undefined);
    if (bytes !== undefined) {
      const { state } = decodeTrainingState(bytes, checkpoint);
      if (state.epoch >= 1 && state.batch > 0) return state;
    }
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}
