import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks, fixtureCnn, fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../composition/Logger.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { ModelView } from './ModelView.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info() {}, warn: (message) => warnings.push(message) };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** 2 inputs → dense 2 (ReLU) `mlp_hidden1` → dense 2 `mlp_logits`. */
function tinyMlp(): tfl.Sequential {
  return fixtureMlp({ inputSize: 2, hidden: [2], classes: 2 });
}

describe('ModelView', () => {
  it('shares weights with the model it views', () => {
    const model = tinyMlp();
    const view = new ModelView('student', model, ['mlp_hidden1'], recordingLogger());
    tf.tidy(() =>
      model.layers[0]?.setWeights([
        tf.tensor2d([
          [1, 0],
          [0, 1],
        ]),
        tf.tensor1d([0, 0]),
      ]),
    );
    tf.tidy(() =>
      model.layers[1]?.setWeights([
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor1d([0.5, -0.5]),
      ]),
    );
    // hidden = relu(x · I) = relu(x); logits = hidden · [[1, 2], [3, 4]] + [0.5, −0.5]
    // x = [1, −1]: hidden [1, 0] → logits [1 + 0.5, 2 − 0.5] = [1.5, 1.5]
    // x = [2, 3]: hidden [2, 3] → logits [2 + 9 + 0.5, 4 + 12 − 0.5] = [11.5, 15.5]
    const [logits, hidden] = tf.tidy(() => {
      const outputs = view.apply(
        tf.tensor2d([
          [1, -1],
          [2, 3],
        ]),
        false,
      );
      return [outputs.logits.arraySync(), outputs.features.mlp_hidden1?.arraySync()];
    });
    expect(logits).toEqual([
      [1.5, 1.5],
      [11.5, 15.5],
    ]);
    expect(hidden).toEqual([
      [1, 0],
      [2, 3],
    ]);

    // A later change to the model's weights shows through the view: scale the logits kernel by 2.
    tf.tidy(() =>
      model.layers[1]?.setWeights([
        tf.tensor2d([
          [2, 4],
          [6, 8],
        ]),
        tf.tensor1d([0.5, -0.5]),
      ]),
    );
    // x = [2, 3]: [4 + 18 + 0.5, 8 + 24 − 0.5] = [22.5, 31.5]
    const changed = tf.tidy(() => view.apply(tf.tensor2d([[2, 3]]), false).logits.arraySync());
    const direct = tf.tidy(() => (model.predict(tf.tensor2d([[2, 3]])) as tf.Tensor).arraySync());
    expect(changed).toEqual([[22.5, 31.5]]);
    expect(direct).toEqual(changed);
    model.dispose();
  });

  it('returns the tapped layer outputs with their layer shapes', () => {
    const model = fixtureCnn({ inputShape: [4, 4, 1], channels: [2, 3], classes: 5 });
    const view = new ModelView('student', model, ['cnn_conv1', 'cnn_conv2'], recordingLogger());
    // conv1 keeps 4×4 ('same') with 2 channels; a 2×2 pool halves it before conv2's 3 channels.
    const shapes = tf.tidy(() => {
      const outputs = view.apply(tf.zeros([3, 4, 4, 1]), false);
      return {
        logits: outputs.logits.shape,
        conv1: outputs.features.cnn_conv1?.shape,
        conv2: outputs.features.cnn_conv2?.shape,
        keys: Object.keys(outputs.features),
      };
    });
    expect(shapes).toEqual({ logits: [3, 5], conv1: [3, 4, 4, 2], conv2: [3, 2, 2, 3], keys: ['cnn_conv1', 'cnn_conv2'] });
    expect(view.numClasses).toBe(5);
    model.dispose();
  });

  it('hands a tapped output layer its logits, and a layer tapped twice the same tensor twice', () => {
    const model = tinyMlp();
    const logger = recordingLogger();
    const view = new ModelView('student', model, ['mlp_logits', 'mlp_hidden1', 'mlp_hidden1'], logger);
    const seen = tf.tidy(() => {
      const outputs = view.apply(tf.tensor2d([[1, -2]]), false);
      const direct = model.predict(tf.tensor2d([[1, -2]])) as tf.Tensor;
      return {
        logits: Array.from(outputs.logits.dataSync()),
        tappedLogits: Array.from(outputs.features.mlp_logits?.dataSync() ?? []),
        direct: Array.from(direct.dataSync()),
        hidden: outputs.features.mlp_hidden1?.shape,
      };
    });
    expect(seen.tappedLogits).toEqual(seen.direct);
    expect(seen.logits).toEqual(seen.direct);
    expect(seen.hidden).toEqual([1, 2]);
    // tfjs warns about an output listed twice; the view never lists one twice.
    expect(logger.warnings).toEqual([]);
    model.dispose();
  });

  it('gives the static shapes of the taps with a null batch dimension', () => {
    const model = fixtureCnn({ inputShape: [4, 4, 1], channels: [2, 3], classes: 5 });
    const view = new ModelView('student', model, ['cnn_conv2', 'cnn_gap'], recordingLogger());
    expect(view.tapShapes()).toEqual({ cnn_conv2: [null, 2, 2, 3], cnn_gap: [null, 3] });
    expect(new ModelView('student', model, [], recordingLogger()).tapShapes()).toEqual({});
    model.dispose();
  });

  it('names every layer with its shape when asked for a layer the model lacks', () => {
    const model = fixtureMlp({ inputSize: 3, hidden: [4], classes: 2 });
    const error = errorOf(() => new ModelView('student', model, ['x'], recordingLogger()));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe("student: no layer named 'x'; its layers are: mlp_hidden1 [B,4], mlp_logits [B,2]");
    model.dispose();
  });

  it('accepts a model that ends in a softmax, warns, and returns log(p) as its logits', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          inputShape: [3],
          units: 4,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
        }),
      ],
    });
    const logger = recordingLogger();
    const view = new ModelView("teacher 'soft'", model, [], logger);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/^teacher 'soft' ends in a softmax/);
    const { viewed, probabilities, logits } = tf.tidy(() => {
      const inputs = tf.tensor2d([
        [0.5, -1, 2],
        [1, 1, -0.3],
      ]);
      const outputs = view.apply(inputs, false);
      return {
        viewed: tf.softmax(outputs.logits).arraySync(),
        probabilities: (model.predict(inputs) as tf.Tensor2D).arraySync(),
        logits: outputs.logits.arraySync(),
      };
    });
    // softmax(log p) = p / Σ p = p, since Σ p = 1
    viewed.forEach((row, b) => {
      row.forEach((value, c) => {
        expect(value).toBeCloseTo(probabilities[b]?.[c] as number, 6);
        expect(Math.exp(logits[b]?.[c] as number)).toBeCloseTo(probabilities[b]?.[c] as number, 6);
      });
    });
    model.dispose();
  });

  it('also recognises a separate softmax layer at the end', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 2 }), tfl.layers.softmax()],
    });
    const logger = recordingLogger();
    new ModelView('student', model, [], logger);
    expect(logger.warnings).toHaveLength(1);
    model.dispose();
  });

  it('does not warn about a model that outputs logits', () => {
    const model = tinyMlp();
    const logger = recordingLogger();
    new ModelView('student', model, [], logger);
    expect(logger.warnings).toEqual([]);
    model.dispose();
  });

  it('refuses a model whose output is not [B, C]', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3, 2], units: 4 })] });
    const error = errorOf(() => new ModelView('student', model, [], recordingLogger()));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('student: expected an output of shape [B, C] (logits), got [B, 3, 4]');
    model.dispose();
  });

  it('refuses a model with two outputs', () => {
    const input = tfl.input({ shape: [3] });
    const model = tfl.model({
      inputs: input,
      outputs: [tfl.layers.dense({ units: 2 }).apply(input), tfl.layers.dense({ units: 2 }).apply(input)] as tfl.SymbolicTensor[],
    });
    const error = errorOf(() => new ModelView('student', model, [], recordingLogger()));
    expect(error.message).toBe('student: expected a model with one output (logits [B, C]), got 2');
    model.dispose();
  });

  it('leaks nothing in a forward pass inside tf.tidy', async () => {
    const model = fixtureMlp({ inputSize: 3, hidden: [4], classes: 2 });
    const view = new ModelView('student', model, ['mlp_hidden1'], recordingLogger());
    const inputs = tf.ones([2, 3]);
    await expectNoLeaks(() => {
      tf.tidy(() => {
        view.apply(inputs, true);
      });
    });
    inputs.dispose();
    model.dispose();
  });
});
