import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageLease } from '@distillery/core/internal';
import { lock } from 'proper-lockfile';

export interface StageLeaseLocation {
  /** The lock: a directory created atomically (mkdir), which works on NFS and other shared filesystems. */
  readonly lockPath: string;
  /** Where each training of the stage is logged, one JSON line per start (from scratch or from a checkpoint). */
  readonly trainingsLog: string;
}

/**
 * Holds a stage through a lock directory whose mtime the holder renews every `seconds / 4`; one untouched for
 * `seconds` belongs to a process presumed dead and is taken over (proper-lockfile's lease). The holder's name goes
 * to `<lock>.owner`, beside the lock, for the waiting line.
 */
export async function stageLeaseOnDisk(
  location: StageLeaseLocation,
  owner: string,
  seconds: number,
  onWait: (holder: string) => void,
): Promise<StageLease> {
  const { lockPath, trainingsLog } = location;
  await mkdir(join(lockPath, '..'), { recursive: true });
  let lost = false;
  const options = {
    realpath: false,
    lockfilePath: lockPath,
    stale: seconds * 1000,
    update: Math.max(1000, (seconds * 1000) / 4),
    onCompromised: () => {
      lost = true;
    },
  };
  let release: () => Promise<void>;
  try {
    release = await lock(lockPath, { ...options, retries: 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await readFile(`${lockPath}.owner`, 'utf8').catch(() => 'another process');
    onWait(holder.trim() || 'another process');
    release = await lock(lockPath, { ...options, retries: { forever: true, minTimeout: 250, maxTimeout: 2000 } });
  }
  await writeFile(`${lockPath}.owner`, `${owner}\n`);
  return {
    async training(resumedFrom) {
      await mkdir(join(trainingsLog, '..'), { recursive: true });
      const line = { owner, at: new Date().toISOString(), from: resumedFrom ?? null };
      await appendFile(trainingsLog, `${JSON.stringify(line)}\n`);
    },
    assertHeld() {
      if (lost) throw new Error(`lost the lease on ${lockPath}: another process took the stage over`);
    },
    async release() {
      // A compromised lease is no longer ours to remove.
      if (!lost) await release().catch(() => undefined);
    },
  };
}
