import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { editedFixture, loadFixture, node, replaceNode } from './graphFixtureTestKit.js';
import { graphModelTeacher } from './graphModelTeacher.js';
import type { LoadedGraphModel } from './LoadedGraphModel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const weight = (model: LoadedGraphModel, name: string) => model.weights[name]?.[0] as tf.Tensor;

/** What the MLP fixture computes, written with tfjs ops from its own weights: hidden = relu(x·W₁ + b₁), logits. */
function mlpReference(model: LoadedGraphModel, x: tf.Tensor) {
  return tf.tidy(() => {
    const preActivation = tf.matMul(x as tf.Tensor2D, weight(model, 'mlp/hidden/kernel') as tf.Tensor2D);
    const hidden = tf.relu(tf.add(preActivation, weight(model, 'mlp/hidden/bias')));
    const logits = tf.add(
      tf.matMul(hidden as tf.Tensor2D, weight(model, 'mlp/logits/kernel') as tf.Tensor2D),
      weight(model, 'mlp/logits/bias'),
    );
    return { preActivation, hidden, logits };
  });
}

/** What the conv fixture computes: relu(conv3×3 SAME + b) averaged over H and W, then a dense head. */
function convReference(model: LoadedGraphModel, x: tf.Tensor) {
  return tf.tidy(() => {
    const convolved = tf.conv2d(x as tf.Tensor4D, weight(model, 'conv/kernel') as tf.Tensor4D, 1, 'same');
    const features = tf.relu(tf.add(convolved, weight(model, 'conv/bias')));
    const pooled = tf.mean(features, [1, 2]);
    const logits = tf.add(
      tf.matMul(pooled as tf.Tensor2D, weight(model, 'head/kernel') as tf.Tensor2D),
      weight(model, 'head/bias'),
    );
    return { features, logits };
  });
}

/** The largest absolute difference between two tensors of one shape. */
function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

const inputsFor = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('A GraphModel teacher', () => {
  it('gives the logits and the tapped nodes that the graph computes', async () => {
    const model = await loadFixture('mlp-graph');
    const teacher = await graphModelTeacher(model, {
      inputShape: [6],
      features: ['mlp/hidden/Relu', 'mlp/hidden/MatMul'],
    });
    expect(teacher.forwardOnly).toBe(true);
    expect(teacher.description).toBe('TF.js GraphModel');
    expect(teacher.inputShape).toEqual([6]);
    expect(teacher.numClasses).toBe(3);
    expect(teacher.featureShapes).toEqual({ 'mlp/hidden/Relu': [null, 8], 'mlp/hidden/MatMul': [null, 8] });
    const x = inputsFor([5, 6], 1);
    const reference = mlpReference(model, x);
    const outputs = await teacher.predict(x, ['mlp/hidden/Relu', 'mlp/hidden/MatMul']);
    expect(maxDifference(outputs.logits, reference.logits)).toBeLessThan(1e-6);
    expect(maxDifference(outputs.features['mlp/hidden/Relu'] as tf.Tensor, reference.hidden)).toBeLessThan(1e-6);
    expect(maxDifference(outputs.features['mlp/hidden/MatMul'] as tf.Tensor, reference.preActivation)).toBeLessThan(1e-6);
    // The ReLU must have cut something, or the tapped node would not tell Relu from BiasAdd.
    expect(tf.min(reference.hidden).dataSync()[0]).toBe(0);
    tf.dispose([x, reference, outputs.logits, outputs.features]);
    teacher.dispose();
  });

  it('taps a rank-4 feature map of a convolutional graph, channels last', async () => {
    const model = await loadFixture('conv-graph');
    const teacher = await graphModelTeacher(model, { inputShape: [6, 6, 2], features: ['conv/Relu'] });
    expect(teacher.featureShapes).toEqual({ 'conv/Relu': [null, 6, 6, 4] });
    expect(teacher.numClasses).toBe(3);
    const x = inputsFor([3, 6, 6, 2], 2);
    const reference = convReference(model, x);
    const outputs = await teacher.predict(x, ['conv/Relu']);
    expect(maxDifference(outputs.logits, reference.logits)).toBeLessThan(1e-6);
    expect(maxDifference(outputs.features['conv/Relu'] as tf.Tensor, reference.features)).toBeLessThan(1e-6);
    tf.dispose([x, reference, outputs.logits, outputs.features]);
    teacher.dispose();
  });

  it('reads the logits from the signature output key, the node name, or by default alike', async () => {
    const x = inputsFor([4, 6], 3);
    const logitsBy = async (logits: string | undefined) => {
      const teacher = await graphModelTeacher(await loadFixture('mlp-graph'), { inputShape: [6], ...(logits ? { logits } : {}) });
      const outputs = await teacher.predict(x, []);
      teacher.dispose();
      const values = outputs.logits.arraySync();
      outputs.logits.dispose();
      return values;
    };
    const byDefault = await logitsBy(undefined);
    expect(await logitsBy('logits')).toEqual(byDefault);
    expect(await logitsBy('Identity')).toEqual(byDefault);
    expect(await logitsBy('mlp/logits/BiasAdd')).toEqual(byDefault);
    x.dispose();
  });

  it('gives a batch of N what it gives the batch’s two halves', async () => {
    const teacher = await graphModelTeacher(await loadFixture('conv-graph'), { inputShape: [6, 6, 2], features: ['conv/Relu'] });
    const x = inputsFor([6, 6, 6, 2], 4);
    const [first, second] = tf.split(x, [2, 4]) as [tf.Tensor, tf.Tensor];
    const whole = await teacher.predict(x, ['conv/Relu']);
    const halves = [await teacher.predict(first, ['conv/Relu']), await teacher.predict(second, ['conv/Relu'])];
    const joined = tf.concat(halves.map((half) => half.logits));
    const joinedFeatures = tf.concat(halves.map((half) => half.features['conv/Relu'] as tf.Tensor));
    expect(maxDifference(whole.logits, joined)).toBeLessThan(1e-6);
    expect(maxDifference(whole.features['conv/Relu'] as tf.Tensor, joinedFeatures)).toBeLessThan(1e-6);
    tf.dispose([x, first, second, whole.logits, whole.features, joined, joinedFeatures]);
    tf.dispose(halves.flatMap((half) => [half.logits, ...Object.values(half.features)]));
    teacher.dispose();
  });

  it('counts the elements of its floating-point weights as its parameters', async () => {
    const mlp = await graphModelTeacher(await loadFixture('mlp-graph'), { inputShape: [6] });
    // 6·8 + 8 + 8·3 + 3
    expect(mlp.parameterCount).toBe(83);
    mlp.dispose();
    const conv = await graphModelTeacher(await loadFixture('conv-graph'), { inputShape: [6, 6, 2] });
    // 3·3·2·4 + 4 + 4·3 + 3; the Mean's int32 axes are a constant, not a parameter
    expect(conv.parameterCount).toBe(91);
    conv.dispose();
  });

  it('has a fingerprint that two loads share and that a changed weight or logits node changes', async () => {
    const fingerprintOf = async (model: LoadedGraphModel, logits?: string) => {
      const teacher = await graphModelTeacher(model, { inputShape: [6], ...(logits ? { logits } : {}) });
      const fingerprint = await teacher.fingerprint();
      teacher.dispose();
      return fingerprint;
    };
    const first = await fingerprintOf(await loadFixture('mlp-graph'));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintOf(await loadFixture('mlp-graph'))).toBe(first);
    expect(await fingerprintOf(editedFixture('mlp-graph'))).toBe(first);
    const changed = editedFixture('mlp-graph', {
      weights: (weights) => {
        const copy = weights.slice();
        copy[0] = (copy[0] as number) ^ 1; // the lowest mantissa bit of the first kernel weight
        return copy;
      },
    });
    expect(await fingerprintOf(changed)).not.toBe(first);
    expect(await fingerprintOf(await loadFixture('mlp-graph'), 'mlp/logits/MatMul')).not.toBe(first);
  });

  it('takes a fingerprint from its options instead', async () => {
    const teacher = await graphModelTeacher(await loadFixture('mlp-graph'), {
      inputShape: [6],
      fingerprint: async () => 'sha256 of the SavedModel',
    });
    expect(await teacher.fingerprint()).toBe('sha256 of the SavedModel');
    teacher.dispose();
  });

  it('leaves nothing allocated over predict calls, the caller disposing what it returns', async () => {
    const teacher = await graphModelTeacher(await loadFixture('conv-graph'), {
      inputShape: [6, 6, 2],
      features: ['conv/Relu', 'pool/Mean'],
    });
    const x = inputsFor([4, 6, 6, 2], 5);
    await expectNoLeaks(async () => {
      for (let call = 0; call < 3; call++) {
        const outputs = await teacher.predict(x, ['conv/Relu', 'pool/Mean']);
        tf.dispose([outputs.logits, outputs.features]);
      }
    });
    x.dispose();
    teacher.dispose();
  });

  it('returns tensors of its own for the input node and repeated names, so disposing them frees nothing held elsewhere', async () => {
    const teacher = await graphModelTeacher(await loadFixture('mlp-graph'), {
      inputShape: [6],
      features: ['x', 'Identity'],
    });
    const x = inputsFor([2, 6], 6);
    const expected = x.arraySync();
    await expectNoLeaks(async () => {
      const outputs = await teacher.predict(x, ['x', 'Identity', 'x']);
      expect(Object.keys(outputs.features)).toEqual(['x', 'Identity']);
      expect(outputs.features.x?.arraySync()).toEqual(expected);
      expect(outputs.features.Identity?.arraySync()).toEqual(outputs.logits.arraySync());
      tf.dispose([outputs.logits, outputs.features]);
    });
    expect(x.isDisposed).toBe(false);
    const again = await teacher.predict(x, []);
    expect(again.logits.shape).toEqual([2, 3]);
    tf.dispose([x, again.logits]);
    teacher.dispose();
  });

  it('runs a graph with control flow through executeAsync, without leaking', async () => {
    // Switch (on a constant true) and Merge around the logits: tfjs can run them only asynchronously.
    const model = editedFixture('mlp-graph', {
      graph: (json) => {
        replaceNode(
          json,
          'Identity',
          { name: 'branch/take', op: 'Const', attr: { dtype: { type: 'DT_BOOL' }, value: { tensor: { dtype: 'DT_BOOL' } } } },
          node('branch/Switch', 'Switch', ['mlp/logits/BiasAdd', 'branch/take']),
          node('branch/Merge', 'Merge', ['branch/Switch', 'branch/Switch:1'], { N: { i: '2' } }),
          node('Identity', 'Identity', ['branch/Merge']),
        );
        json.weightsManifest[0]?.weights.push({ name: 'branch/take', shape: [], dtype: 'bool' });
      },
      weights: (weights) => Uint8Array.of(...weights, 1),
    });
    const x = inputsFor([3, 6], 7);
    expect(() => model.execute(x, 'Identity')).toThrow(/Please use model.executeAsync\(\) instead/);
    const teacher = await graphModelTeacher(model, { inputShape: [6], features: ['mlp/hidden/Relu'] });
    const plain = await graphModelTeacher(await loadFixture('mlp-graph'), { inputShape: [6] });
    const expected = await plain.predict(x, []);
    await expectNoLeaks(async () => {
      const outputs = await teacher.predict(x, ['mlp/hidden/Relu']);
      expect(outputs.logits.arraySync()).toEqual(expected.logits.arraySync());
      tf.dispose([outputs.logits, outputs.features]);
    });
    tf.dispose([x, expected.logits]);
    teacher.dispose();
    plain.dispose();
  });

  it('frees the graph’s weights on dispose', async () => {
    const model = await loadFixture('conv-graph');
    const teacher = await graphModelTeacher(model, { inputShape: [6, 6, 2] });
    const before = tf.memory().numTensors;
    teacher.dispose();
    // conv kernel and bias, head kernel and bias, the pooling axes
    expect(before - tf.memory().numTensors).toBe(5);
  });
});
