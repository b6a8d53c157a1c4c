import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Paraphraser } from './Paraphraser.js';
import type { ParaphraserOptions } from './ParaphraserOptions.js';
import { paraphraserReconstructionLoss } from './paraphraserReconstructionLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const live: Paraphraser[] = [];

/** Names the variables `test/encoder/conv1/kernel`, …, unique among the live ones, as the kernel names them. */
const variableName = (local: string) => uniqueVariableName(`test/${local}`);

/** A paraphraser freed after the test. */
function paraphraser(
  options: Omit<ParaphraserOptions, 'variableName' | 'seed'> & Partial<Pick<ParaphraserOptions, 'variableName' | 'seed'>>,
): Paraphraser {
  const made = new Paraphraser({ variableName, seed: 1, ...options });
  live.push(made);
  return made;
}

afterEach(() => {
  for (const made of live.splice(0)) made.dispose();
});

async function valuesOf(compute: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  const result = tf.tidy(compute);
  const values = Array.from(await result.data());
  const shape = result.shape;
  result.dispose();
  return { shape, values };
}

/** A [3, 3, 1, 1] kernel with `row` as its middle row, zero elsewhere: on a one-row map only that row acts. */
const middleRow = (row: [number, number, number]) => tf.tensor4d([0, 0, 0, ...row, 0, 0, 0], [3, 3, 1, 1]);

describe('Paraphraser', () => {
  it('names and shapes its variables for a [B, 8, 8, 32] map at k = 0.5: encoder 32 → 32 → 16 → 16, decoder back to 32', () => {
    const made = paraphraser({ featureShape: [null, 8, 8, 32], rate: 0.5 });
    expect([made.channels, made.factorChannels]).toEqual([32, 16]);
    const described = (variables: tf.Variable[]) => variables.map((variable) => [variable.name, variable.shape]);
    expect(described(made.encoderVariables())).toEqual([
      ['test/encoder/conv1/kernel', [3, 3, 32, 32]],
      ['test/encoder/conv1/bias', [32]],
      ['test/encoder/conv2/kernel', [3, 3, 32, 16]],
      ['test/encoder/conv2/bias', [16]],
      ['test/encoder/conv3/kernel', [3, 3, 16, 16]],
      ['test/encoder/conv3/bias', [16]],
    ]);
    // Transposed kernels are [3, 3, out, in].
    expect(described(made.decoderVariables())).toEqual([
      ['test/decoder/deconv1/kernel', [3, 3, 16, 16]],
      ['test/decoder/deconv1/bias', [16]],
      ['test/decoder/deconv2/kernel', [3, 3, 32, 16]],
      ['test/decoder/deconv2/bias', [32]],
      ['test/decoder/deconv3/kernel', [3, 3, 32, 32]],
      ['test/decoder/deconv3/bias', [32]],
    ]);
    expect(made.variables()).toEqual([...made.encoderVariables(), ...made.decoderVariables()]);
    expect(made.variables().every((variable) => variable.trainable)).toBe(true);
  });

  it('keeps H×W: encode gives [B, H, W, round(C · k)] and decode gives back [B, H, W, C]', async () => {
    const made = paraphraser({ featureShape: [null, 5, 7, 6], rate: 0.5 });
    const input = tf.randomNormal([2, 5, 7, 6], 0, 1, 'float32', 3);
    const factor = await expectNoLeaks(() => valuesOf(() => made.encode(input as tf.Tensor4D)));
    expect(factor.shape).toEqual([2, 5, 7, 3]);
    const rebuilt = await expectNoLeaks(() => valuesOf(() => made.decode(made.encode(input as tf.Tensor4D))));
    expect(rebuilt.shape).toEqual([2, 5, 7, 6]);
    // Rate 2 widens: 6 → 12.
    const wide = paraphraser({ featureShape: [null, 5, 7, 6], rate: 2 });
    expect((await expectNoLeaks(() => valuesOf(() => wide.encode(input as tf.Tensor4D)))).shape).toEqual([2, 5, 7, 12]);
    input.dispose();
  });

  it("starts each kernel and bias at PyTorch's U(±1/√fan_in), seeded '<seed>/<local name>', fan_in 9 · out for a transposed one", async () => {
    const made = paraphraser({ featureShape: [null, 4, 4, 4], rate: 0.5, seed: 'p' });
    const [conv1Kernel, , conv2Kernel] = made.encoderVariables();
    const [deconv1Kernel, , deconv2Kernel, deconv2Bias] = made.decoderVariables();
    // conv1 4 → 4: fan_in 36, bound 1/6; deconv2 2 → 4: fan_in 9 · 4 = 36 (not 9 · 2 = 18), bound 1/6.
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => [
        Array.from(tf.randomUniform([3, 3, 4, 4], -1 / 6, 1 / 6, 'float32', 'p/encoder/conv1/kernel').dataSync()),
        Array.from(tf.randomUniform([3, 3, 4, 2], -1 / 6, 1 / 6, 'float32', 'p/decoder/deconv2/kernel').dataSync()),
        Array.from(tf.randomUniform([4], -1 / 6, 1 / 6, 'float32', 'p/decoder/deconv2/bias').dataSync()),
      ]),
    );
    expect(Array.from((conv1Kernel as tf.Variable).dataSync())).toEqual(expected[0]);
    expect(Array.from((deconv2Kernel as tf.Variable).dataSync())).toEqual(expected[1]);
    expect(Array.from((deconv2Bias as tf.Variable).dataSync())).toEqual(expected[2]);
    // conv2 4 → 2 (fan_in 36) and deconv1 2 → 2 (fan_in 18) stay inside their bounds.
    expect(Math.max(...Array.from((conv2Kernel as tf.Variable).dataSync()).map(Math.abs))).toBeLessThanOrEqual(1 / 6);
    const deconv1 = Array.from((deconv1Kernel as tf.Variable).dataSync()).map(Math.abs);
    expect(Math.max(...deconv1)).toBeLessThanOrEqual(1 / Math.sqrt(18));
    expect(Math.max(...deconv1)).toBeGreaterThan(1 / 6);
  });

  it("spreads each factor pixel over its neighbours in the decoder, as PyTorch's ConvTranspose2d(3, stride 1, padding 1)", async () => {
    // One channel (C = F = 1 at k = 1), a 1×3 map: only each kernel's middle row acts. Encoder convs and deconv2/3 are
    // identities (centre 1), biases 0, and every value stays positive, so the leaky ReLUs change nothing.
    const made = paraphraser({ featureShape: [null, 1, 3, 1], rate: 1 });
    for (const variable of made.variables()) {
      variable.assign(variable.rank === 1 ? tf.zeros(variable.shape) : middleRow([0, 1, 0]));
    }
    const [deconv1Kernel] = made.decoderVariables();
    deconv1Kernel?.assign(middleRow([1, 10, 100]));
    const input = tf.tensor4d([1, 2, 3], [1, 1, 3, 1]);
    // ConvTranspose2d: out[i] = Σ_k x[i + 1 − k] · w[k] with w = [1, 10, 100]:
    //   out[0] = x[1]·1 + x[0]·10 = 12; out[1] = x[2]·1 + x[1]·10 + x[0]·100 = 123; out[2] = x[2]·10 + x[1]·100 = 230.
    // (A cross-correlation with the same kernel would give 210, 321, 32.)
    const rebuilt = await expectNoLeaks(() => valuesOf(() => made.decode(made.encode(input))));
    expect(rebuilt.values).toEqual([12, 123, 230]);
    // The encoder's convolutions are cross-correlations: the same kernel on x gives 210, 321, 32.
    const [conv1Kernel] = made.encoderVariables();
    conv1Kernel?.assign(middleRow([1, 10, 100]));
    expect((await expectNoLeaks(() => valuesOf(() => made.encode(input)))).values).toEqual([210, 321, 32]);
    input.dispose();
  });

  it('matches a float64 PyTorch run of the reference layer stack, with leaky ReLUs of slope 0.1', async () => {
    // Fixture: PyTorch float64 (nn.functional conv2d / conv_transpose2d, stride 1, padding 1, then leaky_relu 0.1)
    // with layer l's kernel, in tfjs layout flattened, 0.5·sin(1 + 0.7 i + l), its bias 0.1·cos(l + j), and the input
    // cos(0.3 i) over NHWC [2, 3, 4, 3]; C = 3, k = 0.5 → F = 2. Kernels permuted to PyTorch's layouts.
    const made = paraphraser({ featureShape: [null, 3, 4, 3], rate: 0.5 });
    expect(made.factorChannels).toBe(2);
    const variables = made.variables();
    for (let layer = 0; layer < 6; layer++) {
      const kernel = variables[2 * layer] as tf.Variable;
      const bias = variables[2 * layer + 1] as tf.Variable;
      kernel.assign(
        tf.tensor(
          Array.from({ length: kernel.size }, (_, i) => 0.5 * Math.sin(1 + 0.7 * i + layer)),
          kernel.shape,
        ),
      );
      bias.assign(
        tf.tensor(
          Array.from({ length: bias.size }, (_, j) => 0.1 * Math.cos(layer + j)),
          bias.shape,
        ),
      );
    }
    const input = tf.tensor4d(
      Array.from({ length: 72 }, (_, i) => Math.cos(0.3 * i)),
      [2, 3, 4, 3],
    );
    const factor = await expectNoLeaks(() => valuesOf(() => made.encode(input)));
    const rebuilt = await expectNoLeaks(() => valuesOf(() => made.decode(made.encode(input))));
    const expectedFactor = [
      -0.00412236770841, -0.00749412999466, -0.00996978278387, -0.0108746305528, -0.0100507177813, -0.00744384713348,
      0.00195838217136, -0.0137903240913, 0.0143840920583, 0.000939215557286, -0.0114064519695, -0.016579110371,
      -0.00500844062928, -0.016150477667, 0.104495644565, 0.0608897291457, -0.0155528044028, -0.0191575879294, -0.00221745839769,
      -0.0170037955388, -0.0002987246536, -0.0124551443536, -0.0105013045325, -0.00262783644931, -0.00174228056809,
      -0.00855783027054, -0.00412029576758, -0.00831744392966, -0.00923290993525, 0.0124616457174, -0.00811421742732,
      -0.028919329799, -0.00510184525505, -0.00923976158394, -0.00413560884013, -0.00998794008609, -0.00576682753116,
      -0.00844598320117, -0.00368070973732, -0.012167430393, -0.0038079587139, -0.00938238386193, -0.00630676255213,
      -0.0122202061611, -0.0187887316461, -0.0342730244252, 0.175549947568, 0.156414411361,
    ];
    const expectedReconstruction = [
      0.234939450446, 0.107299368771, -0.0142574697372, 0.341986433587, 0.0981724252478, -0.0240406276744, 0.359598933131,
      0.0892182976911, -0.0248977863454, 0.247181138706, 0.086194296159, -0.0133506758241, 0.347718073343, 0.102532726187,
      -0.0250540478388, 0.501711431306, 0.0819144091745, -0.0383715682296, 0.52583641712, 0.0732977417071, -0.03991404861,
      0.3518123375, 0.0745321634984, -0.0226362792544, 0.245537729998, 0.0941154488439, -0.0139861275687, 0.34494600322,
      0.0776288653379, -0.0222623173987, 0.364595020111, 0.0727081947511, -0.0237303828122, 0.246164258032, 0.0775344730913,
      -0.0123746121682, 0.240444737446, 0.112006641808, -0.0152832881284, 0.413606375539, 0.103815756884, -0.0317724246683,
      0.398615062001, 0.0748499333834, -0.0273486366823, 0.281106837325, 0.0664351779241, -0.0147481829118, 0.367710626982,
      0.114220364559, -0.0282333949434, 0.62535061438, 0.0847665836873, -0.0510234683756, 0.587190021631, 0.0469202691317,
      -0.0433860962053, 0.39098715139, 0.0358219610712, -0.0226452216628, 0.280221391193, 0.105019247036, -0.0185554416967,
      0.444583970101, 0.0694293093679, -0.0313982113085, 0.403321058128, 0.0499846186977, -0.0253086048433, 0.246207869331,
      0.0450290344165, -0.00909692447953,
    ];
    expect(factor.shape).toEqual([2, 3, 4, 2]);
    expectedFactor.forEach((value, i) => {
      expect(factor.values[i]).toBeCloseTo(value, 6);
    });
    expect(rebuilt.shape).toEqual([2, 3, 4, 3]);
    expectedReconstruction.forEach((value, i) => {
      expect(rebuilt.values[i]).toBeCloseTo(value, 5);
    });
    input.dispose();
  });

  it('learns to reconstruct a fixed feature map: the reconstruction loss falls when fitting it alone', async () => {
    const made = paraphraser({ featureShape: [null, 4, 4, 4], rate: 0.5, seed: 5 });
    // Non-negative, as the post-ReLU maps a paraphraser usually reads.
    const feature = tf.tidy(() => tf.relu(tf.randomNormal([4, 4, 4, 4], 0.5, 1, 'float32', 9))) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const optimizer = tf.train.adam(0.01);
    const loss = () => paraphraserReconstructionLoss(made.decode(made.encode(feature)), feature);
    const losses: number[] = [];
    for (let step = 0; step < 80; step++) {
      const value = optimizer.minimize(loss, true, made.variables()) as tf.Scalar;
      losses.push((await value.data())[0] as number);
      value.dispose();
    }
    // Adam's moment slots are the only tensors the loop made; they go with the optimizer.
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const [first, last] = [losses[0] as number, losses[losses.length - 1] as number];
    // From about 0.83 it falls under 0.25 within 60 Adam steps (lr 0.01) on this seed.
    expect(last).toBeLessThan(first * 0.3);
    feature.dispose();
  });

  it('builds the encoder alone, fixed, for the student stage', () => {
    const made = paraphraser({ featureShape: [null, 8, 8, 32], decoder: false, trainable: false });
    expect(made.decoderVariables()).toEqual([]);
    expect(made.variables()).toEqual(made.encoderVariables());
    expect(made.encoderVariables().map((variable) => variable.trainable)).toEqual(new Array(6).fill(false));
    const factor = tf.zeros([1, 8, 8, 16]) as tf.Tensor4D;
    expect(() => made.decode(factor)).toThrow('Paraphraser: built without a decoder (decoder: false)');
    factor.dispose();
  });

  it('refuses vectors, unknown channels, bad rates and inputs of other widths, leaving no tensor behind', () => {
    const before = tf.memory().numTensors;
    const labels = { where: 'strategies[0].options.layer', feature: "layer 'x'" };
    expect(() => paraphraser({ featureShape: [null, 10], labels })).toThrow(DistilleryError);
    expect(() => paraphraser({ featureShape: [null, 10], labels })).toThrow(
      "strategies[0].options.layer: cannot paraphrase layer 'x' [B, 10]: factor transfer needs an NHWC map [B, H, W, C]",
    );
    expect(() => paraphraser({ featureShape: [null, 4, 4, null] })).toThrow(
      'Paraphraser: cannot paraphrase feature [B, 4, 4, ?]: the channel count must be known to size the paraphraser',
    );
    expect(() => paraphraser({ featureShape: [null, 4, 4, 8], rate: 0 })).toThrow(
      'Paraphraser: rate must be a finite number > 0, got 0',
    );
    expect(() => paraphraser({ featureShape: [null, 4, 4, 1], rate: 0.4 })).toThrow(
      'Paraphraser: rate 0.4 leaves round(1 · 0.4) = 0 factor channels for feature [B, 4, 4, 1]; expected a rate that keeps at least one',
    );
    expect(tf.memory().numTensors).toBe(before);
    const made = paraphraser({ featureShape: [null, 4, 4, 8] });
    const narrow = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => made.encode(narrow)).toThrow('Paraphraser: expected a feature with 8 channels, got [1, 4, 4, 3]');
    expect(() => made.decode(narrow)).toThrow('Paraphraser: expected a factor with 4 channels, got [1, 4, 4, 3]');
    narrow.dispose();
  });

  it('names its variables through variableName, frees what it made if naming one fails, and frees all on dispose', () => {
    const before = tf.memory().numTensors;
    const failing = (local: string) => {
      if (local === 'decoder/deconv2/kernel') throw new Error('no name');
      return uniqueVariableName(`failing/${local}`);
    };
    expect(() => new Paraphraser({ variableName: failing, featureShape: [null, 2, 2, 4], seed: 1 })).toThrow('no name');
    expect(tf.memory().numTensors).toBe(before);
    const made = new Paraphraser({ variableName, featureShape: [null, 2, 2, 4], seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 12);
    made.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(made.variables().every((variable) => variable.isDisposed)).toBe(true);
  });
});
