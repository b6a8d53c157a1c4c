import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OnnxTeacherOptions } from './OnnxTeacherOptions.js';
import { onnxTeacher } from './onnxTeacher.js';
import { onnxModel, type TestModel } from './onnxTestKit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Channels last [B, 4, 4, 3] → ReLU ('relu', a value inside the graph, whose type the file records, so the output made
 * for it carries that type) → mean over height and width: logits [B, 3].
 */
function channelsLastModel(): TestModel {
  return {
    inputs: [{ name: 'x', dims: ['batch', 4, 4, 3] }],
    outputs: [{ name: 'logits' }],
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['relu'] },
      { op: 'ReduceMean', inputs: ['relu'], outputs: ['logits'], attributes: { axes: [1, 2], keepdims: 0 } },
    ],
    valueInfo: [{ name: 'relu', dims: ['batch', 4, 4, 3] }],
  };
}
const channelsLastMeans = onnxModel(channelsLastModel());

/** Any [B, C, H, W] → global average pooling ('pooled' [B, C, 1, 1], an output) → flattened: logits [B, C]. */
const channelsFirstMeans = onnxModel({
  inputs: [{ name: 'x', dims: ['batch', 'channels', 'height', 'width'] }],
  outputs: [{ name: 'logits' }, { name: 'pooled' }],
  nodes: [
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: ['logits'], attributes: { axis: 1 } },
  ],
});

/** A model on examples [4] whose one node is `op` from x (of element type `elemType`, shape `dims`) to the logits. */
function vectorModel(op: string, dims: readonly (number | string)[] | undefined, elemType = 1): Uint8Array {
  const model: TestModel = {
    inputs: [{ name: 'x', elemType, ...(dims === undefined ? {} : { dims }) }],
    outputs: [{ name: 'logits', elemType: op === 'ArgMax' ? 7 : 1 }],
    nodes: [{ op, inputs: ['x'], outputs: ['logits'], attributes: op === 'Cast' ? { to: 1 } : {} }],
  };
  return onnxModel(model);
}

/** Examples [2, 4, 4, 3] with values −23 … 72, so that ReLU and the means have something to do. */
const images = () =>
  tf.tensor4d(
    Array.from({ length: 96 }, (_, i) => i - 23),
    [2, 4, 4, 3],
  );

async function errorOf(
  options: Partial<OnnxTeacherOptions & { description: string }>,
  bytes = channelsLastMeans,
): Promise<string> {
  const error = await onnxTeacher(bytes, { inputShape: [4], ...options }).then(
    (model) => {
      model.dispose();
      throw new Error('expected an error');
    },
    (caught: unknown) => caught as Error,
  );
  expect(error).toBeInstanceOf(DistilleryError);
  return error.message;
}

describe('An ONNX teacher made from bytes', () => {
  it('feeds a channels-last model as it is and hands out its values inside the graph unmoved', async () => {
    const teacher = await onnxTeacher(channelsLastMeans, { inputShape: [4, 4, 3], features: ['relu'] });
    expect(teacher.description).toBe('ONNX model');
    expect(teacher.numClasses).toBe(3);
    expect(teacher.featureShapes).toEqual({ relu: [null, 4, 4, 3] });
    const inputs = images();
    const outputs = await teacher.predict(inputs, ['relu']);
    const values = (await inputs.data()) as Float32Array;
    const relu = values.map((value) => Math.max(0, value));
    // Logit c of example b: the mean of ReLU(x) over the 16 pixels of channel c.
    const means = [0, 1].flatMap((b) =>
      [0, 1, 2].map((c) => Array.from({ length: 16 }, (_, p) => relu[b * 48 + p * 3 + c] as number).reduce((a, v) => a + v) / 16),
    );
    expect([...((await outputs.features.relu?.data()) ?? [])]).toEqual([...relu]);
    const logits = await outputs.logits.data();
    means.forEach((mean, i) => {
      expect(logits[i]).toBeCloseTo(mean, 5);
    });
    tf.dispose([inputs, outputs.logits, ...Object.values(outputs.features)]);
    teacher.dispose();
  });

  it('feeds an NCHW model channels first, and hands out its rank-4 features channels last', async () => {
    const teacher = await onnxTeacher(channelsFirstMeans, { inputShape: [4, 4, 3], description: 'pooling model' });
    expect(teacher.description).toBe('pooling model');
    expect(teacher.numClasses).toBe(3);
    expect(teacher.featureShapes).toEqual({ pooled: [null, 1, 1, 3] });
    const inputs = images();
    const outputs = await teacher.predict(inputs, ['pooled']);
    const values = (await inputs.data()) as Float32Array;
    // Channel c of example b: x[b, h, w, c] at b·48 + (4h + w)·3 + c, averaged over the 16 (h, w).
    const means = [0, 1].flatMap((b) =>
      [0, 1, 2].map(
        (c) => Array.from({ length: 16 }, (_, p) => values[b * 48 + p * 3 + c] as number).reduce((a, v) => a + v) / 16,
      ),
    );
    expect(outputs.features.pooled?.shape).toEqual([2, 1, 1, 3]);
    for (const tensor of [outputs.logits, outputs.features.pooled as tf.Tensor]) {
      const data = await tensor.data();
      means.forEach((mean, i) => {
        expect(data[i]).toBeCloseTo(mean, 5);
      });
    }
    tf.dispose([inputs, outputs.logits, ...Object.values(outputs.features)]);
    teacher.dispose();
  });

  it('takes NCHW for an input whose sizes fit both layouts unless told otherwise, and fingerprints the layout', async () => {
    // Examples [H 2, W 3, C 4]: NCHW averages each of the 4 channels; NHWC reads [2, 3, 4] as C 2, H 3, W 4.
    const guessed = await onnxTeacher(channelsFirstMeans, { inputShape: [2, 3, 4] });
    const nchw = await onnxTeacher(channelsFirstMeans, { inputShape: [2, 3, 4], layout: 'nchw' });
    const nhwc = await onnxTeacher(channelsFirstMeans, { inputShape: [2, 3, 4], layout: 'nhwc' });
    expect([guessed.numClasses, nchw.numClasses, nhwc.numClasses]).toEqual([4, 4, 2]);
    expect(nhwc.featureShapes).toEqual({ pooled: [null, 2, 1, 1] });
    expect(await guessed.fingerprint()).toBe(await nchw.fingerprint());
    expect(await nhwc.fingerprint()).not.toBe(await nchw.fingerprint());
    for (const model of [guessed, nchw, nhwc]) model.dispose();
  });

  it('takes examples of any rank as they are, and a model that gives no input shape', async () => {
    for (const dims of [['batch', 4], undefined]) {
      const teacher = await onnxTeacher(vectorModel('Relu', dims), { inputShape: [4], threads: 1 });
      const inputs = tf.tensor2d([[-1, 2, -3, 4]]);
      const outputs = await teacher.predict(inputs, []);
      expect([...(await outputs.logits.data())]).toEqual([0, 2, 0, 4]);
      tf.dispose([inputs, outputs.logits]);
      teacher.dispose();
    }
  });

  it('frees every tensor but the outputs it hands over', async () => {
    const teacher = await onnxTeacher(channelsFirstMeans, { inputShape: [4, 4, 3] });
    const inputs = images();
    await expectNoLeaks(
      async () => {
        const outputs = await teacher.predict(inputs, ['pooled']);
        tf.dispose([outputs.logits, ...Object.values(outputs.features)]);
      },
      { warmUp: true },
    );
    inputs.dispose();
    teacher.dispose();
  });
});

describe('onnxTeacher refuses in one line naming the model', () => {
  it('a model with several inputs when none is named, and one whose other inputs go unfed', async () => {
    const twoInputs = onnxModel({
      inputs: [
        { name: 'a', dims: ['batch', 4] },
        { name: 'b', dims: ['batch', 4] },
      ],
      outputs: [{ name: 'logits' }],
      nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['logits'] }],
    });
    expect(await errorOf({}, twoInputs)).toBe(
      "ONNX model: the model has 2 inputs (a, b); name the one fed with the data in 'input'",
    );
    expect(await errorOf({ input: 'a' }, twoInputs)).toBe(
      "ONNX model: fails on a batch of 1 zero example of shape [1, 4] (input 'b' is missing in 'feeds'.)",
    );
  });

  it('an input that does not take float32', async () => {
    expect(await errorOf({}, vectorModel('Cast', ['batch', 4], 7))).toBe(
      "ONNX model: input 'x' takes int64, expected float32 (Distillery feeds float32 examples)",
    );
  });

  it('an input of a fixed batch size, saying how to export a free one', async () => {
    expect(await errorOf({}, vectorModel('Relu', [1, 4]))).toBe(
      "ONNX model: input 'x' takes [1, 4]: a fixed batch of 1, where Distillery runs batches of any size; export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={'x': {0: 'batch'}}))",
    );
    expect(
      await errorOf(
        { inputShape: [4, 4, 3] },
        onnxModel({ ...channelsLastModel(), inputs: [{ name: 'x', dims: [8, 4, 4, 3] }] }),
      ),
    ).toBe(
      "ONNX model: input 'x' takes [8, 4, 4, 3] (NHWC): a fixed batch of 8, where Distillery runs batches of any size; export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={'x': {0: 'batch'}}))",
    );
  });

  it("a model that fails on the probe, with the first line of onnxruntime's reason", async () => {
    const reshape = onnxModel({
      inputs: [{ name: 'x' }],
      outputs: [{ name: 'logits' }],
      nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['logits'] }],
      initializers: [{ name: 'shape', dims: [2], dataType: 7, values: [1, 5] }],
    });
    expect(await errorOf({ description: 'reshaping model' }, reshape)).toBe(
      "reshaping model: fails on a batch of 1 zero example of shape [1, 4] (Non-zero status code returned while running Reshape node. Name:'' Status Message: The input tensor cannot be reshaped to the requested shape. Input shape:{1,4}, requested shape:{1,5})",
    );
  });

  it('outputs that are not float32', async () => {
    expect(await errorOf({}, vectorModel('ArgMax', ['batch', 4]))).toBe("ONNX model: output 'logits' is int64, expected float32");
  });

  it('options out of range', async () => {
    expect(await errorOf({ threads: 0 })).toBe('ONNX model: threads must be a positive integer, got 0');
    expect(await errorOf({ inputShape: [28, 0] })).toBe(
      "ONNX model: inputShape must list one example's sizes (positive integers), got [28, 0]",
    );
  });
});
