import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadGraphModel } from './loadGraphModel.js';
import { saveModel } from './saveModel.js';

let directory: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-graph-model-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const float = { type: 'DT_FLOAT' };
const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
const constant = (name: string, shape: number[], dtype = 'DT_FLOAT') => ({
  name,
  op: 'Const',
  attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: dims(shape) } } },
});

/** y = x·w + b with w = [[1, 2], [3, 4]], b = [10, 20], in the converter's layout; the weights split over two shards. */
async function writeAffineGraph(extra: { nodes?: object[]; specs?: object[]; bytes?: Uint8Array } = {}) {
  const nodes = [
    { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims([-1, 2]) } } },
    constant('w', [2, 2]),
    constant('b', [2]),
    { name: 'MatMul', op: 'MatMul', input: ['x', 'w'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'BiasAdd', op: 'BiasAdd', input: ['MatMul', 'b'], attr: { T: float } },
    ...(extra.nodes ?? []),
  ];
  const weights = new Uint8Array(Float32Array.of(1, 2, 3, 4, 10, 20).buffer);
  const bytes = new Uint8Array([...weights, ...(extra.bytes ?? [])]);
  await writeFile(join(directory, 'group1-shard1of2.bin'), bytes.subarray(0, 10));
  await writeFile(join(directory, 'group1-shard2of2.bin'), bytes.subarray(10));
  const specs = [
    { name: 'w', shape: [2, 2], dtype: 'float32' },
    { name: 'b', shape: [2], dtype: 'float32' },
    ...(extra.specs ?? []),
  ];
  const modelJson = {
    format: 'graph-model',
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }],
  };
  await writeFile(join(directory, 'model.json'), JSON.stringify(modelJson));
}

describe('loadGraphModel', () => {
  it('loads a graph model whose weights span several shards, and runs it', async () => {
    await writeAffineGraph();
    const model = await loadGraphModel(directory);
    const outputs = model.execute(tf.tensor2d([[1, 1]]), 'BiasAdd') as tf.Tensor;
    // [1, 1]·[[1, 2], [3, 4]] + [10, 20] = [14, 26]
    expect(outputs.arraySync()).toEqual([[14, 26]]);
    expect(model.inputs.map((input) => input.shape)).toEqual([[-1, 2]]);
    model.dispose();
  });

  it('takes the path of model.json as well as its directory', async () => {
    await writeAffineGraph();
    const model = await loadGraphModel(join(directory, 'model.json'));
    expect(model.outputNodes).toEqual(['BiasAdd']);
    model.dispose();
  });

  it('reads string weights, whose size model.json cannot give', async () => {
    // Each string is stored as its byte length (uint32, little-endian) and its bytes.
    const strings = new Uint8Array([2, 0, 0, 0, 97, 98, 1, 0, 0, 0, 99]);
    await writeAffineGraph({
      nodes: [constant('vocabulary', [2], 'DT_STRING')],
      specs: [{ name: 'vocabulary', shape: [2], dtype: 'string' }],
      bytes: strings,
    });
    const model = await loadGraphModel(directory);
    expect(model.weights.vocabulary?.[0]?.arraySync()).toEqual(['ab', 'c']);
    model.dispose();
  });
});

describe('loadGraphModel refuses bad files with one line naming the file', () => {
  it('when the directory does not exist', async () => {
    const absent = join(directory, 'absent');
    await expect(loadGraphModel(absent)).rejects.toThrow(`graph model directory not found: ${absent}`);
  });

  it('when the directory has no model.json', async () => {
    await expect(loadGraphModel(directory)).rejects.toThrow(`model file not found: ${join(directory, 'model.json')}`);
  });

  it('when model.json is a layers model', async () => {
    await saveModel(fixtureMlp({ inputSize: 3, hidden: [4], classes: 2 }), directory);
    await expect(loadGraphModel(directory)).rejects.toThrow(
      `model file ${join(directory, 'model.json')} is a layers model; use type: file (tfjs-layers) for it`,
    );
  });

  it('when model.json describes no graph', async () => {
    await writeFile(
      join(directory, 'model.json'),
      JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [] }),
    );
    await expect(loadGraphModel(directory)).rejects.toThrow(
      `model file ${join(directory, 'model.json')} is not a graph model: expected format 'graph-model' and a modelTopology with a node list`,
    );
  });

  it('when a weight shard is missing', async () => {
    await writeAffineGraph();
    await rm(join(directory, 'group1-shard2of2.bin'));
    await expect(loadGraphModel(directory)).rejects.toThrow(
      `weights file not found: ${join(directory, 'group1-shard2of2.bin')} (listed in ${join(directory, 'model.json')})`,
    );
  });

  it('when a weight shard is short', async () => {
    await writeAffineGraph();
    await writeFile(join(directory, 'group1-shard2of2.bin'), new Uint8Array(6));
    await expect(loadGraphModel(directory)).rejects.toThrow(
      `weights of ${join(directory, 'model.json')}: the files hold 16 bytes but model.json describes 24 (truncated or from another model?)`,
    );
  });

  it('when the graph names an input that is not one of its nodes', async () => {
    await writeAffineGraph({ nodes: [{ name: 'Broken', op: 'Relu', input: ['Missing'], attr: { T: float } }] });
    await expect(loadGraphModel(directory)).rejects.toThrow(
      /^model file .*model\.json does not describe a graph tfjs can load \(.+\)$/,
    );
  });
});
