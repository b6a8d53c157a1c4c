import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistilleryError, type ForwardModel } from '@distillery/core';
import { loadMnist } from '@distillery/node';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxTeacher } from './loadOnnxTeacher.js';
import { channelsLast, mnistCnnExpected, mnistCnnPath } from './onnxTestKit.js';

const expected = mnistCnnExpected();
const intermediate = expected.intermediate.name;
const features = ['stage1', 'stage2', 'stage3', intermediate];
let teacher: ForwardModel;
let digits: tf.Tensor4D;
let directory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  teacher = await loadOnnxTeacher(mnistCnnPath, { inputShape: [28, 28, 1], features });
  const test = await loadMnist({ split: 'test' });
  const indices = Int32Array.from(expected.indices);
  // The recorded digits are the test split's first ones; their labels confirm that these are the same digits.
  expect([...indices].map((index) => test.labels[index])).toEqual(expected.labels);
  digits = tf.tensor4d(test.valuesOf(indices), [indices.length, 28, 28, 1]);
  directory = await mkdtemp(join(tmpdir(), 'teacher-onnx-'));
});

afterAll(async () => {
  teacher.dispose();
  digits.dispose();
  await rm(directory, { recursive: true, force: true });
});

/** The largest absolute difference between two equally long lists of numbers. */
function largestDifference(actual: ArrayLike<number>, wanted: ArrayLike<number>): number {
  expect(actual.length).toBe(wanted.length);
  let largest = 0;
  for (let i = 0; i < actual.length; i++) largest = Math.max(largest, Math.abs((actual[i] as number) - (wanted[i] as number)));
  return largest;
}

/** A tensor's shape and values, read out. */
interface ReadTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What `model` gives on `inputs` for the features `names`, read out; its tensors disposed. */
async function predicted(model: ForwardModel, inputs: tf.Tensor, names: readonly string[]) {
  const outputs = await model.predict(inputs, names);
  const read = async (tensor: tf.Tensor | undefined): Promise<ReadTensor> => {
    if (tensor === undefined) throw new Error('a requested feature is missing');
    return { shape: tensor.shape, data: (await tensor.data()) as Float32Array };
  };
  const features: Record<string, ReadTensor> = {};
  for (const name of names) features[name] = await read(outputs.features[name]);
  const logits = await read(outputs.logits);
  tf.dispose([outputs.logits, ...Object.values(outputs.features)]);
  return { logits, features };
}

/** The feature `name` of a prediction. */
function feature(outputs: { features: Record<string, ReadTensor> }, name: string): ReadTensor {
  const found = outputs.features[name];
  if (found === undefined) throw new Error(`no feature ${name}`);
  return found;
}

async function errorOf(action: Promise<unknown>): Promise<Error> {
  const error = await action.then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (error === undefined) throw new Error('expected an error');
  expect(error).toBeInstanceOf(DistilleryError);
  expect(error.message).not.toContain('\n');
  return error;
}

describe('An ONNX teacher exported from PyTorch (fixtures/mnist-cnn.onnx), fed the first 16 MNIST test digits channels last,', () => {
  it('gives the logits PyTorch computed, within 1e-4', async () => {
    const { logits } = await predicted(teacher, digits, []);
    expect(logits.shape).toEqual([16, 10]);
    expect(largestDifference(logits.data, expected.outputs.logits.data)).toBeLessThan(1e-4);
  });

  it("gives each stage's feature map as PyTorch computed it, moved to channels last, within 1e-4", async () => {
    const outputs = await predicted(teacher, digits, ['stage1', 'stage2', 'stage3']);
    for (const stage of ['stage1', 'stage2', 'stage3'] as const) {
      const [batch, channels, height, width] = expected.outputs[stage].shape;
      expect(feature(outputs, stage).shape).toEqual([batch, height, width, channels]);
      expect(largestDifference(feature(outputs, stage).data, channelsLast(expected.outputs[stage]))).toBeLessThan(1e-4);
    }
  });

  it('taps a value inside the graph by its name, equal to what a PyTorch hook recorded, within 1e-4', async () => {
    expect(expected.outputNames).not.toContain(intermediate);
    const outputs = await predicted(teacher, digits, [intermediate]);
    expect(feature(outputs, intermediate).shape).toEqual([16, 7, 7, 64]);
    expect(largestDifference(feature(outputs, intermediate).data, channelsLast(expected.intermediate))).toBeLessThan(1e-4);
  });

  it('gives on a batch of 16 what it gives on two batches of 8', async () => {
    const whole = await predicted(teacher, digits, features);
    const [first, second] = tf.split(digits, 2);
    const halves = [
      await predicted(teacher, first as tf.Tensor, features),
      await predicted(teacher, second as tf.Tensor, features),
    ];
    tf.dispose([first as tf.Tensor, second as tf.Tensor]);
    const joined = (part: (half: (typeof halves)[number]) => ReadTensor) => halves.flatMap((half) => [...part(half).data]);
    expect([...whole.logits.data]).toEqual(joined((half) => half.logits));
    for (const name of features) {
      expect([...feature(whole, name).data]).toEqual(joined((half) => feature(half, name)));
    }
  });

  it('frees every tensor but the outputs it hands over, a feature asked for twice included', async () => {
    await expectNoLeaks(() => predicted(teacher, digits, [...features, 'stage2']), { warmUp: true });
  });
});

describe('An ONNX teacher loaded from a file', () => {
  it('reads NCHW from its input shape, and declares its features channels last with a free batch', () => {
    expect(teacher.forwardOnly).toBe(true);
    expect(teacher.description).toBe('ONNX model mnist-cnn.onnx');
    expect(teacher.inputShape).toEqual([28, 28, 1]);
    expect(teacher.numClasses).toBe(10);
    expect(teacher.featureShapes).toEqual({
      stage1: [null, 14, 14, 16],
      stage2: [null, 7, 7, 32],
      stage3: [null, 7, 7, 64],
      [intermediate]: [null, 7, 7, 64],
    });
  });

  it('offers every graph output but the logits as a feature when none are named', async () => {
    const plain = await loadOnnxTeacher(mnistCnnPath, { inputShape: [28, 28, 1] });
    expect(Object.keys(plain.featureShapes)).toEqual(['stage1', 'stage2', 'stage3']);
    plain.dispose();
  });

  it("counts its initializers' weights: PyTorch's parameters less the batch norms' scales and shifts that export folds into conv biases", () => {
    // Each folded BatchNorm2d(C) drops γ and β (2C) and adds a conv bias (C): C fewer, for C = 8, 16, 32, 64.
    expect(teacher.parameterCount).toBe(expected.parameterCount - (8 + 16 + 32 + 64));
  });

  it('has a fingerprint that is the same for the same file and options, and changes with the logits', async () => {
    const again = await loadOnnxTeacher(mnistCnnPath, { inputShape: [28, 28, 1], features: ['stage2'] });
    const otherLogits = await loadOnnxTeacher(mnistCnnPath, { inputShape: [28, 28, 1], logits: '/Flatten_output_0' });
    expect(await again.fingerprint()).toBe(await teacher.fingerprint());
    expect(await teacher.fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(await otherLogits.fingerprint()).not.toBe(await teacher.fingerprint());
    // A value inside the graph can hold the logits, as the input of a softmax would.
    expect(otherLogits.numClasses).toBe(64);
    again.dispose();
    otherLogits.dispose();
  });

  it('refuses a feature it was not loaded with, listing those it has', async () => {
    const error = await errorOf(teacher.predict(digits, ['stage4']));
    expect(error.message).toBe(
      `ONNX model mnist-cnn.onnx: no feature named 'stage4'; its features are: stage1, stage2, stage3, ${intermediate}`,
    );
  });
});

describe('loadOnnxTeacher refuses in one line naming the file', () => {
  const load = (options: Partial<Parameters<typeof loadOnnxTeacher>[1]>, path = mnistCnnPath) =>
    errorOf(loadOnnxTeacher(path, { inputShape: [28, 28, 1], ...options }));

  it('a missing file', async () => {
    const path = join(directory, 'missing.onnx');
    expect((await load({}, path)).message).toBe(`ONNX model not found: ${path}`);
  });

  it('an empty file', async () => {
    const path = join(directory, 'empty.onnx');
    await writeFile(path, new Uint8Array(0));
    expect((await load({}, path)).message).toBe(`${path}: not a valid ONNX model (the file is empty)`);
  });

  it("a file that is not protobuf, or is cut short, with onnxruntime's reason", async () => {
    const text = join(directory, 'text.onnx');
    await writeFile(text, 'not a model at all\n');
    const cut = join(directory, 'cut.onnx');
    await writeFile(cut, (await readFile(mnistCnnPath)).subarray(0, 5000));
    for (const path of [text, cut]) {
      expect((await load({}, path)).message).toBe(
        `${path}: not a valid ONNX model (Failed to load model because protobuf parsing failed.)`,
      );
    }
  });

  it('protobuf that holds no graph', async () => {
    const path = join(directory, 'no-graph.onnx');
    await writeFile(path, new Uint8Array([0x08, 0x07])); // ir_version 7 and nothing else
    expect((await load({}, path)).message).toBe(`${path}: not a valid ONNX model (No graph was found in the protobuf.)`);
  });

  it('an input name the model does not have, listing its inputs', async () => {
    expect((await load({ input: 'pixels' })).message).toBe(`${mnistCnnPath}: no input named 'pixels'; its inputs are: image`);
  });

  it("examples that fit the model's input in neither layout, saying what each would give", async () => {
    expect((await load({ inputShape: [28, 28, 3] })).message).toBe(
      `${mnistCnnPath}: input 'image' takes [B, 1, 28, 28], but the data's examples [28, 28, 3] give [B, 3, 28, 28] as NCHW or [B, 28, 28, 3] as NHWC`,
    );
    expect((await load({ inputShape: [784] })).message).toBe(
      `${mnistCnnPath}: input 'image' takes [B, 1, 28, 28], but the data's examples [784] give [B, 784]`,
    );
  });

  it('a layout the input does not have', async () => {
    expect((await load({ layout: 'nhwc' })).message).toBe(
      `${mnistCnnPath}: input 'image' takes [B, 1, 28, 28], but in layout 'nhwc' the data's examples [28, 28, 1] give [B, 28, 28, 1]`,
    );
  });

  it('logits that are not there, or not [B, classes]', async () => {
    expect((await load({ logits: 'scores' })).message).toBe(
      `${mnistCnnPath}: no output or value named 'scores' for the logits; its outputs are: logits, stage1, stage2, stage3; values inside the graph can be tapped too, named as the graph names them: such as '/stage1/stage1.0/conv/Conv_output_0', '/stage1/stage1.0/relu/Relu_output_0', '/stage1/stage1.1/conv/Conv_output_0', '/stage2/conv/Conv_output_0', '/stage3/conv/Conv_output_0'`,
    );
    expect((await load({ logits: 'stage1' })).message).toBe(
      `${mnistCnnPath}: the logits output 'stage1' has shape [1, 16, 14, 14] on a batch of 1, expected [1, classes]`,
    );
  });

  it('a feature that is neither an output nor a value of the graph, suggesting values with that name in theirs', async () => {
    expect((await load({ features: ['stage2', 'stage3.conv'] })).message).toBe(
      `${mnistCnnPath}: no output or value named 'stage3.conv'; its outputs are: logits, stage1, stage2, stage3; values inside the graph can be tapped too, named as the graph names them: did you mean '/stage3/conv/Conv_output_0'?`,
    );
    expect((await load({ features: ['Conv'] })).message).toBe(
      `${mnistCnnPath}: no output or value named 'Conv'; its outputs are: logits, stage1, stage2, stage3; values inside the graph can be tapped too, named as the graph names them: did you mean '/stage1/stage1.0/conv/Conv_output_0', '/stage1/stage1.1/conv/Conv_output_0', '/stage2/conv/Conv_output_0', '/stage3/conv/Conv_output_0'?`,
    );
  });
});
