import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError, type StageResult, type StageStore } from '@distillery/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from './loadModel.js';
import { saveModel } from './saveModel.js';
import { writeFileAtomic } from './writeFileAtomic.js';

/**
 * Keeps stage outputs in a run directory, one folder per stage: `stages/<name>/model.json`,
 * `weights.bin` and `stage.json` (fingerprint, history, evaluation). stage.json is written last and
 * atomically, so a stage whose save was interrupted is never trusted: it has no stage.json, or the old one.
 */
export class FileStageStore implements StageStore {
  constructor(readonly runDirectory: string) {}

  async load(
    stage: string,
    fingerprint: string,
  ): Promise<{ model: tfl.LayersModel; result: Omit<StageResult, 'model'> } | undefined> {
    const directory = this.stageDirectory(stage);
    let saved: Omit<StageResult, 'model' | 'reused'>;
    try {
      saved = JSON.parse(await readFile(join(directory, 'stage.json'), 'utf8'));
    } catch {
      return undefined;
    }
    if (saved.fingerprint !== fingerprint) return undefined;
    return { model: await loadModel(directory), result: { ...saved, reused: true } };
  }

  async save(result: StageResult): Promise<void> {
    const directory = this.stageDirectory(result.name);
    // An older stage.json would vouch for the new weights while they are being written.
    await rm(join(directory, 'stage.json'), { force: true });
    await saveModel(result.model, directory);
    const { model: _model, reused: _reused, ...record } = result;
    await writeFileAtomic(join(directory, 'stage.json'), `${JSON.stringify(record, null, 2)}\n`);
  }

  private stageDirectory(stage: string): string {
    if (!/^[\w.-]+$/.test(stage) || stage === '.' || stage === '..') {
      throw new DistilleryError(`stage name '${stage}': expected letters, digits, _ . or - (it names a folder)`);
    }
    return join(this.runDirectory, 'stages', stage);
  }
}
