import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'cli', 'bin', 'distillery.js');

/** `distillery worker` processes, as a user starts them on each machine, with their logs kept for a failing test. */
export interface QueueWorkers {
  readonly processes: ReadonlyMap<string, ChildProcess>;
  log(name: string): string;
  kill(name: string, signal: NodeJS.Signals): Promise<void>;
  stopAll(): Promise<void>;
}

export function startQueueWorkers(url: string, names: readonly string[], stalledAfterSeconds: number): QueueWorkers {
  const processes = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();
  for (const name of names) {
    const child = spawn(
      process.execPath,
      [bin, 'worker', '--queue', url, '--name', name, '--stalled-after', String(stalledAfterSeconds)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
    );
    logs.set(name, '');
    const keep = (chunk: Buffer) => logs.set(name, `${logs.get(name)}${chunk.toString()}`);
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    processes.set(name, child);
  }
  const kill = async (name: string, signal: NodeJS.Signals) => {
    const child = processes.get(name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return {
    processes,
    log: (name) => logs.get(name) ?? '',
    kill,
    stopAll: async () => {
      await Promise.all(names.map((name) => kill(name, 'SIGKILL')));
    },
  };
}
