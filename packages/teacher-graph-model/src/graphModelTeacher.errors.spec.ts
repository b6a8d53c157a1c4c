import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attributesOf, editedFixture, loadFixture, node, replaceNode } from './graphFixtureTestKit.js';
import { type GraphModelTeacherOptions, graphModelTeacher } from './graphModelTeacher.js';
import type { LoadedGraphModel } from './LoadedGraphModel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The one-line DistilleryError that making the teacher throws; the model is disposed either way. */
async function refusal(model: LoadedGraphModel, options: GraphModelTeacherOptions): Promise<string> {
  const before = tf.memory().numTensors;
  const error = await graphModelTeacher(model, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  model.dispose();
  expect(error).toBeInstanceOf(DistilleryError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  // Nothing the probe made outlives the refusal: the only tensors gone are the model's weights.
  expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  return message;
}

describe('A GraphModel teacher refuses, in one line naming what is wrong and what was expected,', () => {
  it('a graph with several inputs', async () => {
    const model = editedFixture('conv-graph', {
      graph: (json) => {
        replaceNode(json, undefined, {
          name: 'mask',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }] } } },
        });
      },
    });
    expect(await refusal(model, { inputShape: [6, 6, 2] })).toBe(
      'TF.js GraphModel: the graph has 2 inputs (image, mask); a teacher takes exactly one, the examples',
    );
  });

  it('an input that is not float32', async () => {
    const model = editedFixture('conv-graph', {
      graph: (json) => {
        (attributesOf(json, 'image').dtype as { type: string }).type = 'DT_INT32';
      },
    });
    expect(await refusal(model, { inputShape: [6, 6, 2] })).toBe(
      "TF.js GraphModel: input 'image' takes int32; expected float32, the examples as the data holds them",
    );
  });

  it('an input shape that does not take the data’s examples', async () => {
    expect(await refusal(await loadFixture('mlp-graph'), { inputShape: [5] })).toBe(
      "TF.js GraphModel: input 'x' has shape [-1, 6]; expected [-1, 5]: any batch of examples shaped [5] (inputShape)",
    );
    expect(await refusal(await loadFixture('conv-graph'), { inputShape: [6, 6, 2, 1] })).toBe(
      "TF.js GraphModel: input 'image' has shape [-1, 6, 6, 2]; expected [-1, 6, 6, 2, 1]: any batch of examples shaped [6, 6, 2, 1] (inputShape)",
    );
  });

  it('an input fixed to one batch size', async () => {
    const model = editedFixture('mlp-graph', {
      graph: (json) => {
        const { shape } = attributesOf(json, 'x').shape as { shape: { dim: { size: string }[] } };
        (shape.dim[0] as { size: string }).size = '1';
        delete json.signature;
      },
    });
    expect(await refusal(model, { inputShape: [6] })).toBe(
      "TF.js GraphModel: input 'x' has shape [1, 6]; expected [-1, 6]: any batch of examples shaped [6] (inputShape)",
    );
  });

  it('an inputShape that is no example’s shape', async () => {
    expect(await refusal(await loadFixture('mlp-graph'), { inputShape: [6.5] })).toBe(
      "TF.js GraphModel: inputShape [6.5]: expected one example's sizes, positive integers",
    );
  });

  it('a logits node the graph does not have, listing its outputs', async () => {
    expect(await refusal(await loadFixture('mlp-graph'), { inputShape: [6], logits: 'dense_1' })).toBe(
      "TF.js GraphModel: logits: no output or node named 'dense_1'; the graph's outputs are: logits (node Identity)",
    );
  });

  it('no logits node when the graph has several outputs, listing them', async () => {
    const model = editedFixture('conv-graph', {
      graph: (json) => {
        replaceNode(
          json,
          undefined,
          node('probabilities', 'Softmax', ['head/BiasAdd']),
          node('features', 'Identity', ['pool/Mean']),
        );
      },
    });
    expect(await refusal(model, { inputShape: [6, 6, 2] })).toBe(
      'TF.js GraphModel: the graph has 2 outputs (probabilities, features); name the one holding the logits (logits)',
    );
  });

  it('logits that are not [batch, classes]', async () => {
    expect(await refusal(await loadFixture('conv-graph'), { inputShape: [6, 6, 2], logits: 'conv/Relu' })).toBe(
      "TF.js GraphModel: logits 'conv/Relu' gives float32 [1, 6, 6, 4] for one example; expected float32 [1, classes]",
    );
  });

  it('a feature node the graph does not have, suggesting nodes with similar names', async () => {
    const mlp = { inputShape: [6] };
    expect(await refusal(await loadFixture('mlp-graph'), { ...mlp, features: ['mlp/hidden/Relu', 'mlp/hiden/Relu'] })).toBe(
      "TF.js GraphModel: features[1]: no node named 'mlp/hiden/Relu' in the graph; nodes with similar names: mlp/hidden/Relu",
    );
    expect(await refusal(await loadFixture('mlp-graph'), { ...mlp, features: ['mlp/'] })).toBe(
      "TF.js GraphModel: features[0]: no node named 'mlp/' in the graph; nodes with similar names: mlp/hidden/kernel, mlp/hidden/bias, mlp/logits/kernel, mlp/logits/bias, mlp/hidden/MatMul",
    );
    expect(await refusal(await loadFixture('mlp-graph'), { ...mlp, features: ['stage2/Sigmoid'] })).toBe(
      "TF.js GraphModel: features[0]: no node named 'stage2/Sigmoid' in the graph; no node name contains 'Sigmoid' (model.json's modelTopology.node lists every node)",
    );
  });

  it('a feature that is not one row per example', async () => {
    expect(await refusal(await loadFixture('mlp-graph'), { inputShape: [6], features: ['mlp/hidden/kernel'] })).toBe(
      "TF.js GraphModel: feature 'mlp/hidden/kernel' has shape [6, 8] for one example; expected [1, ...]: one row per example",
    );
  });

  it('a graph that does not run, with the first line of what tfjs said', async () => {
    const model = editedFixture('mlp-graph', {
      graph: (json) => {
        replaceNode(json, 'mlp/hidden/Relu', node('mlp/hidden/Relu', 'FancyActivation', ['mlp/hidden/BiasAdd']));
      },
    });
    expect(await refusal(model, { inputShape: [6], description: 'GraphModel teachers/fancy' })).toBe(
      "GraphModel teachers/fancy: running the graph on zeros shaped [1, 6] failed: Unknown op 'FancyActivation'. File an issue at https://github.com/tensorflow/tfjs/issues so we can add it, or register a custom execution with tf.registerOp()",
    );
  });

  it('a feature at predict time that it was not made with', async () => {
    const teacher = await graphModelTeacher(await loadFixture('mlp-graph'), { inputShape: [6], features: ['mlp/hidden/Relu'] });
    const x = tf.zeros([1, 6]);
    const before = tf.memory().numTensors;
    await expect(teacher.predict(x, ['mlp/hidden/BiasAdd'])).rejects.toThrow(
      new DistilleryError("TF.js GraphModel: no feature 'mlp/hidden/BiasAdd'; its features are: mlp/hidden/Relu"),
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    teacher.dispose();
  });
});
