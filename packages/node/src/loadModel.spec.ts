import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from './loadModel.js';
import { registerFileHandlers } from './registerFileHandlers.js';
import { saveModel } from './saveModel.js';

let directory: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-model-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('a model saved with saveModel', () => {
  it('is written as model.json and weights.bin in the tfjs-node layout', async () => {
    const model = fixtureMlp({ inputSize: 3, hidden: [4], classes: 2 });
    await saveModel(model, directory);
    const json = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    // 3·4 + 4 + 4·2 + 2 = 26 float32 parameters
    expect((await readFile(join(directory, 'weights.bin'))).byteLength).toBe(26 * 4);
  });

  it('loads back with the same predictions', async () => {
    const model = fixtureMlp({ inputSize: 3, hidden: [4], classes: 2, seed: 7 });
    await saveModel(model, `file://${directory}`);
    const loaded = await loadModel(join(directory, 'model.json'));
    const input = tf.tensor2d([
      [0.5, -1, 2],
      [1, 1, 1],
    ]);
    const expected = (model.predict(input) as tf.Tensor).arraySync();
    expect((loaded.predict(input) as tf.Tensor).arraySync()).toEqual(expected);
    expect(loaded.layers.map((layer) => layer.name)).toEqual(model.layers.map((layer) => layer.name));
  });

  it('loads through tf.loadLayersModel once the file:// handlers are registered', async () => {
    registerFileHandlers();
    const model = fixtureMlp({ inputSize: 2, hidden: [], classes: 2 });
    await model.save(`file://${directory}`);
    const loaded = await tfl.loadLayersModel(`file://${directory}/model.json`);
    expect(loaded.outputs[0]?.shape).toEqual([null, 2]);
  });
});

describe('loadModel refuses bad files with one line naming the file', () => {
  it('when the directory has no model.json', async () => {
    await expect(loadModel(join(directory, 'absent'))).rejects.toThrow(
      `model file not found: ${join(directory, 'absent', 'model.json')}`,
    );
  });

  it('when model.json is not JSON', async () => {
    await writeFile(join(directory, 'model.json'), '{"modelTopology": ');
    await expect(loadModel(directory)).rejects.toThrow(/model\.json is not valid JSON \(/);
  });

  it('when model.json is JSON but not a layers model', async () => {
    await writeFile(join(directory, 'model.json'), '{"hello": 1}');
    await expect(loadModel(directory)).rejects.toThrow(/expected a tfjs layers model with modelTopology and weightsManifest/);
  });

  it('when weights.bin is truncated', async () => {
    await saveModel(fixtureMlp({ inputSize: 3, hidden: [4], classes: 2 }), directory);
    const weights = await readFile(join(directory, 'weights.bin'));
    await writeFile(join(directory, 'weights.bin'), weights.subarray(0, 40));
    await expect(loadModel(directory)).rejects.toThrow(/the files hold 40 bytes but model.json describes 104/);
  });

  it('when weights.bin is missing', async () => {
    await saveModel(fixtureMlp({ inputSize: 3, hidden: [4], classes: 2 }), directory);
    await rm(join(directory, 'weights.bin'));
    await expect(loadModel(directory)).rejects.toThrow(/weights file not found: .*weights\.bin \(listed in .*model\.json\)/);
  });

  it('when the topology cannot be built', async () => {
    await writeFile(
      join(directory, 'model.json'),
      JSON.stringify({ modelTopology: { class_name: 'NoSuchModel', config: {} }, weightsManifest: [] }),
    );
    await expect(loadModel(directory)).rejects.toThrow(/does not describe a model tfjs can build/);
  });
});
