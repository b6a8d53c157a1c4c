import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the tests' own, on loopback. */
export interface RedisServerForTests {
  readonly url: string;
  readonly port: number;
  /** Stops it as an operator would (SIGTERM: it writes its append-only file and exits) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's redis-server (`apt-get install redis-server`) on 127.0.0.1 and a free port, with every write
 * appended and synced to its own folder, as a study's Redis should run (see the queue's README), so a restart
 * loses nothing.
 */
export async function startRedisServer(): Promise<RedisServerForTests> {
  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'distillery-redis-'));
  let server = await launch(port, directory);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await terminate(server);
      server = await launch(port, directory);
    },
    async stop() {
      await terminate(server);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function launch(port: number, directory: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes'];
  args.push('--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning');
  const server = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${output}`)), 10_000);
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (${error.message}); install it: apt-get install redis-server`));
    });
    const poll = setInterval(async () => {
      if (await accepts(port)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
  return server;
}

async function terminate(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
