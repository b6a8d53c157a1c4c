import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DistilleryError, type StageResult, type TrainingState } from '@distillery/core';
import type { StageLease, StageStore } from '@distillery/core/internal';
import type * as tfl from '@tensorflow/tfjs-layers';
import { decodeTrainingState } from './decodeTrainingState.js';
import { encodeTrainingState } from './encodeTrainingState.js';
import { loadModel } from './loadModel.js';
import { readStrategyWeights } from './readStrategyWeights.js';
import { saveModel } from './saveModel.js';
import { stageLeaseOnDisk } from './stageLeaseOnDisk.js';
import { writeFileAtomic } from './writeFileAtomic.js';
import { writeStrategyWeights } from './writeStrategyWeights.js';

export interface FileStageStoreOptions {
  /**
   * `by-name`: one folder per stage name (a run: each name has one configuration). `by-fingerprint`: one per name
   * and fingerprint, `<name>.<first 12 hex digits>` (a sweep's shared store, where points train stages of one name
   * with different settings, possibly at once on several machines, and share the ones that are the same).
   */
  readonly layout?: 'by-name' | 'by-fingerprint';
  /** Who trains, in leases and `trainings.jsonl`; by default `<host> pid <pid>`. */
  readonly owner?: string;
  /** A lease holder silent this long is presumed dead, and its stage is taken over (default 30). */
  readonly leaseSeconds?: number;
}

/**
 * Keeps stage outputs in a run directory, one folder per stage: `stages/<name>/model.json`,
 * `weights.bin` and `stage.json` (fingerprint, history, evaluation, peer names), each peer the stage
 * trained in `stages/<name>/peers/<peer>/`, and its strategies' variables by local name in
 * `stage-strategy-weights.json` and `.bin`, for a later stage that starts from them. stage.json is written last and
 * atomically, so a stage whose save was interrupted is never trusted: it has no stage.json, or the old one.
 *
 * A stage's mid-training state goes to `checkpoints/<name>/state.ckpt` (beside the model files the CLI
 * writes there each epoch), replaced atomically, so a crash while writing it leaves the previous one.
 */
export class FileStageStore implements StageStore {
  readonly layout: 'by-name' | 'by-fingerprint';
  readonly owner: string;
  private readonly leaseSeconds: number;

  constructor(
    readonly runDirectory: string,
    options: FileStageStoreOptions = {},
  ) {
    this.layout = options.layout ?? 'by-name';
    this.owner = options.owner ?? `${hostname()} pid ${process.pid}`;
    this.leaseSeconds = options.leaseSeconds ?? 30;
  }

  /**
   * Held from a stage's look-up to its save: `locks/<folder>`, renewed while held, so that processes sharing the
   * store (a shared filesystem needs atomic mkdir and rename) train each stage once. Every training it starts is
   * logged in `stages/<folder>/trainings.jsonl` (owner, time, the checkpoint it continued from).
   */
  lease(stage: string, fingerprint: string, onWait: (holder: string) => void): Promise<StageLease> {
    const folder = this.folderOf(stage, fingerprint);
    return stageLeaseOnDisk(
      { lockPath: join(this.runDirectory, 'locks', folder), trainingsLog: join(this.stageFolder(folder), 'trainings.jsonl') },
      this.owner,
      this.leaseSeconds,
      onWait,
    );
  }

  /** The folder holding a stage's model files. */
  stageDirectory(stage: string, fingerprint: string): string {
    return this.stageFolder(this.folderOf(stage, fingerprint));
  }

  async load(
    stage: string,
    fingerprint: string,
  ): Promise<
    | {
        model: tfl.LayersModel;
        peers?: { name: string; model: tfl.LayersModel }[];
        result: Omit<StageResult, 'model' | 'peers'>;
      }
    | undefined
  > {
    const directory = this.stageDirectory(stage, fingerprint);
    let saved: Omit<StageResult, 'model' | 'peers' | 'reused' | 'strategyWeights'> & {
      peers?: string[];
      strategyWeights?: boolean;
    };
    try {
      saved = JSON.parse(await readFile(join(directory, 'stage.json'), 'utf8'));
    } catch {
      return undefined;
    }
    if (saved.fingerprint !== fingerprint) return undefined;
    const { peers: peerNames, strategyWeights: hasStrategyWeights, ...rest } = saved;
    const record = hasStrategyWeights === true ? { ...rest, strategyWeights: await readStrategyWeights(directory) } : rest;
    const model = await loadModel(directory);
    if (peerNames === undefined) return { model, result: { ...record, reused: true } };
    const peers: { name: string; model: tfl.LayersModel }[] = [];
    try {
      for (const name of peerNames)
        peers.push({ name, model: await loadModel(join(directory, 'peers', folderName(name, 'peer'))) });
    } catch (error) {
      for (const loaded of [model, ...peers.map((peer) => peer.model)]) loaded.dispose();
      throw error;
    }
    return { model, peers, result: { ...record, reused: true } };
  }

  async save(result: StageResult): Promise<void> {
    const directory = this.stageDirectory(result.name, result.fingerprint);
    // An older stage.json would vouch for the new weights while they are being written.
    await rm(join(directory, 'stage.json'), { force: true });
    await saveModel(result.model, directory);
    // A peer's model files are inside its stage's folder, so that the stage.json written last vouches for them too.
    for (const peer of result.peers ?? []) await saveModel(peer.model, join(directory, 'peers', folderName(peer.name, 'peer')));
    const { model: _model, reused: _reused, peers, strategyWeights, ...record } = result;
    if (strategyWeights !== undefined) await writeStrategyWeights(directory, strategyWeights);
    const listed = {
      ...(peers === undefined ? {} : { peers: peers.map((peer) => peer.name) }),
      ...(strategyWeights === undefined ? {} : { strategyWeights: true }),
    };
    await writeFileAtomic(join(directory, 'stage.json'), `${JSON.stringify({ ...record, ...listed }, null, 2)}\n`);
  }

  async saveCheckpoint(stage: string, fingerprint: string, state: TrainingState): Promise<void> {
    const path = this.checkpointPath(stage, fingerprint);
    const bytes = encodeTrainingState(state, fingerprint);
    try {
      await writeFileAtomic(path, bytes);
    } catch (error) {
      throw failure('write', path, error);
    }
  }

  async loadCheckpoint(stage: string, fingerprint: string): Promise<TrainingState | undefined> {
    const path = this.checkpointPath(stage, fingerprint);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw failure('read', path, error);
    }
    // A damaged checkpoint throws rather than reading as none: restarting silently would throw away the
    // training it holds without the user knowing.
    const saved = decodeTrainingState(bytes, path);
    return saved.fingerprint === fingerprint ? saved.state : undefined;
  }

  async removeCheckpoint(stage: string, fingerprint: string): Promise<void> {
    const path = this.checkpointPath(stage, fingerprint);
    try {
      await rm(path, { force: true });
    } catch (error) {
      throw failure('remove', path, error);
    }
    // Temporary files of writes that a crash cut short (writeFileAtomic names them `state.ckpt.<pid>.<random>.tmp`)
    // would otherwise stay, each the size of a checkpoint, once nothing replaces state.ckpt any more.
    const directory = dirname(path);
    let names: string[];
    try {
      names = await readdir(directory);
    } catch {
      return;
    }
    for (const name of names.filter((name) => /^state\.ckpt\..+\.tmp$/.test(name))) {
      await rm(join(directory, name), { force: true }).catch(() => undefined);
    }
  }

  private folderOf(stage: string, fingerprint: string): string {
    const name = folderName(stage);
    return this.layout === 'by-name' ? name : `${name}.${fingerprint.slice(0, 12)}`;
  }

  private stageFolder(folder: string): string {
    return join(this.runDirectory, 'stages', folder);
  }

  private checkpointPath(stage: string, fingerprint: string): string {
    return join(this.runDirectory, 'checkpoints', this.folderOf(stage, fingerprint), 'state.ckpt');
  }
}

function folderName(name: string, what = 'stage'): string {
  if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') {
    throw new DistilleryError(`${what} name '${name}': expected letters, digits, _ . or - (it names a folder)`);
  }
  return name;
}

/**
 * One line naming the path and what failed, with the errno code: `checkpoint: cannot write /x/state.ckpt: no
 * space left on device (ENOSPC)`; when the call that failed was on another path (creating a folder on the
 * way), that path too.
 */
function failure(action: string, path: string, error: unknown): DistilleryError {
  const { code, message, syscall, path: failedPath } = error as Partial<NodeJS.ErrnoException>;
  let reason = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string') {
    // Node words a system error `CODE: description, syscall 'path'`: keep the description.
    const prefix = `${code}: `;
    reason = `${reason.startsWith(prefix) ? (reason.slice(prefix.length).split(', ')[0] as string) : reason} (${code})`;
    if (typeof failedPath === 'string' && failedPath !== path && typeof syscall === 'string') {
      reason = `${syscall} ${failedPath}: ${reason}`;
    }
  }
  return new DistilleryError(`checkpoint: cannot ${action} ${path}: ${reason.replace(/\s+/g, ' ')}`);
}
