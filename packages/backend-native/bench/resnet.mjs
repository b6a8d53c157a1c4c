// CIFAR-sized training steps through Distillery's Distiller on the native backend, against the same steps in
// PyTorch on the same machine (bench/pytorch_resnet.py): batch 64, 32×32×3 inputs, 10 classes, Adam at 1e-3,
// batch norm in training mode. Prints figures; it is not a test.
//
//   npm run build -w @distillery/backend-native && node packages/backend-native/bench/resnet.mjs [--steps 10] [--warm-up 2]
//
// Steps: resnet20 (ResNet-20, cross-entropy), kd (frozen ResNet-20 teacher in inference → ResNet-8 student,
// 0.5 · CE + 0.5 · KD at T = 4), wrn16-2 (WRN-16-2, CE), mobilenetv2 (a MobileNetV2-style student, CE).
// Options: --steps N (timed steps, median reported), --warm-up N, --only NAME[,NAME…], --threads N (the
// addon's threads, and PyTorch's; default: the addon's own choice), --skip-pytorch, --python PATH, --profile
// (after timing each step, the top 15 kernels of one profiled step by total ms).

import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { responsePlugin } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nativeAddon, nativeBackendError } from '../dist/index.js';
import {
  buildDistillerStep,
  findPythonWithTorch,
  medianMs,
  noTorchAdvice,
  printKernelTable,
  profileKernels,
  quietly,
  randomBatch,
} from './benchSteps.mjs';

// Layers shared by the models. Convolutions are 'same'-padded and have no bias (batch norm follows, or, in
// WRN's pre-activation blocks, the reference code has none either). Batch norm matches PyTorch's BatchNorm2d
// defaults: tfjs momentum 0.9 is PyTorch's 0.1 (the weight of the new batch statistics), epsilon 1e-5.
// With stride 2 on an even size, tfjs's 'same' pads 0 before and 1 after where PyTorch's padding=1 pads 1 on
// both sides: the same output shape and work, shifted by one pixel.
const conv = (filters, kernelSize, strides = 1) =>
  tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false });
const batchNorm = () => tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
const relu = () => tfl.layers.reLU();
const relu6 = () => tfl.layers.activation({ activation: 'relu6' });
const add = (a, b) => tfl.layers.add().apply([a, b]);
const chain = (x, ...layers) => layers.reduce((y, layer) => layer.apply(y), x);

function classifier(name, input, features) {
  const logits = chain(features, tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 10 }));
  return tfl.model({ name, inputs: input, outputs: logits });
}

/**
 * ResNet for CIFAR (He et al. 2016, section 4.2), depth 6n + 2: conv3×3 16-BN-ReLU, three stages of n basic
 * blocks with 16, 32, 64 filters (stride 2 at the start of stages 2 and 3), each conv3×3-BN-ReLU-conv3×3-BN
 * plus the shortcut, ReLU after the add; global average pooling, dense 10. Where the shape changes, the
 * shortcut is option B: a 1×1 convolution with stride 2 and batch norm (the paper's CIFAR nets use option A,
 * zero-padding identity; B is what most PyTorch CIFAR ResNets do). n = 3: ResNet-20; n = 1: ResNet-8.
 */
function resnetCifar(name, n) {
  const input = tfl.input({ shape: [32, 32, 3] });
  let x = chain(input, conv(16, 3), batchNorm(), relu());
  let channels = 16;
  for (const [stage, filters] of [16, 32, 64].entries()) {
    for (let block = 0; block < n; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      const residual = chain(x, conv(filters, 3, strides), batchNorm(), relu(), conv(filters, 3), batchNorm());
      const shortcut = strides !== 1 || filters !== channels ? chain(x, conv(filters, 1, strides), batchNorm()) : x;
      x = relu().apply(add(residual, shortcut));
      channels = filters;
    }
  }
  return classifier(name, input, x);
}

/**
 * Wide ResNet WRN-16-2 (Zagoruyko & Komodakis 2016): conv3×3 16, three groups of (16 − 4) / 6 = 2
 * pre-activation blocks (BN-ReLU-conv3×3-BN-ReLU-conv3×3 plus the shortcut) with 32, 64, 128 filters, stride
 * 2 at the start of groups 2 and 3; where the width changes the shortcut is a 1×1 convolution of the block's
 * activated input (as in the authors' code); then BN-ReLU, global average pooling, dense 10. No dropout.
 */
function wideResnet(name, depth = 16, width = 2) {
  const n = (depth - 4) / 6;
  const input = tfl.input({ shape: [32, 32, 3] });
  let x = conv(16, 3).apply(input);
  let channels = 16;
  for (const [group, filters] of [16 * width, 32 * width, 64 * width].entries()) {
    for (let block = 0; block < n; block++) {
      const strides = group > 0 && block === 0 ? 2 : 1;
      const activated = chain(x, batchNorm(), relu());
      const shortcut = filters !== channels ? conv(filters, 1, strides).apply(activated) : x;
      const residual = chain(activated, conv(filters, 3, strides), batchNorm(), relu(), conv(filters, 3));
      x = add(residual, shortcut);
      channels = filters;
    }
  }
  return classifier(name, input, chain(x, batchNorm(), relu()));
}

/**
 * A MobileNetV2-style network for 32×32 (Sandler et al. 2018, the first rows of its table 2 with CIFAR
 * strides): conv3×3 32-BN-ReLU6 at stride 1, then inverted-residual blocks (t, c, n, s) = (1, 16, 1, 1),
 * (6, 24, 2, 2), (6, 32, 3, 2) — each 1×1 expansion to t·c_in-BN-ReLU6 (none when t = 1), depthwise 3×3 at
 * stride s-BN-ReLU6, 1×1 projection-BN, plus the input when s = 1 and the width stays — then 1×1 conv
 * 128-BN-ReLU6, global average pooling, dense 10. 32 → 16 → 8 pixels.
 */
function mobileNetV2(name) {
  const input = tfl.input({ shape: [32, 32, 3] });
  let x = chain(input, conv(32, 3), batchNorm(), relu6());
  let channels = 32;
  for (const [expansion, filters, repeats, stride] of [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
  ]) {
    for (let block = 0; block < repeats; block++) {
      const strides = block === 0 ? stride : 1;
      const expanded = expansion === 1 ? x : chain(x, conv(expansion * channels, 1), batchNorm(), relu6());
      const depthwise = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false });
      const projected = chain(expanded, depthwise, batchNorm(), relu6(), conv(filters, 1), batchNorm());
      x = strides === 1 && filters === channels ? add(projected, x) : projected;
      channels = filters;
    }
  }
  return classifier(name, input, chain(x, conv(128, 1), batchNorm(), relu6()));
}

const batch = () => randomBatch(64, [32, 32, 3]);
const crossEntropy = (model) => ({ student: model, strategies: [{ key: 'task.ce', weight: 1 }], batch: batch() });

/** The measured steps, in order; `experiment` is buildDistillerStep's. */
const benchSteps = [
  { name: 'resnet20', what: 'ResNet-20 CE', experiment: () => crossEntropy(resnetCifar('resnet20', 3)) },
  {
    name: 'kd',
    what: 'KD ResNet-20 → ResNet-8',
    experiment: () => ({
      student: resnetCifar('resnet8', 1),
      teachers: [{ name: 'resnet20', model: resnetCifar('resnet20', 3) }],
      strategies: [
        { key: 'task.ce', weight: 0.5 },
        { key: 'response.kd', weight: 0.5, options: { temperature: 4 } },
      ],
      plugins: [responsePlugin],
      batch: batch(),
    }),
  },
  { name: 'wrn16-2', what: 'WRN-16-2 CE', experiment: () => crossEntropy(wideResnet('wrn16_2', 16, 2)) },
  { name: 'mobilenetv2', what: 'MobileNetV2-style CE', experiment: () => crossEntropy(mobileNetV2('mobilenetv2')) },
];

const { values: options } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    'warm-up': { type: 'string', default: '2' },
    only: { type: 'string' },
    threads: { type: 'string' },
    'skip-pytorch': { type: 'boolean', default: false },
    python: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const steps = Number(options.steps);
const warmUp = Number(options['warm-up']);
const only = options.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !benchSteps.some((step) => step.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown step ${unknown.join(', ')}; the steps are ${benchSteps.map((step) => step.name).join(', ')}`);
  process.exit(1);
}
const selected = benchSteps.filter((step) => only === undefined || only.includes(step.name));

const addon = nativeAddon.binding;
if (addon === undefined) {
  console.error(`the native backend is not available: ${nativeBackendError}`);
  process.exit(1);
}
if (options.threads !== undefined) addon.setThreads(Number(options.threads));
const threads = addon.threads();

console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs; Node ${process.version}`);
console.log(`addon: ${addon.simd()} kernels, ${threads} threads; tfjs ${tf.version_core}`);
// PyTorch's OpenMP threads wait for each other by spinning: when other work holds a core, its figures can be
// 10× worse, more than the addon's. The load average says how quiet the machine was.
const load = () => loadavg()[0].toFixed(2);
console.log(
  `batch 64, 32×32×3, 10 classes, Adam; median of ${steps} steps after ${warmUp} warm-up steps; load average ${load()}\n`,
);

const countParams = (model) => model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce((a, b) => a * b, 1), 0);
const native = {};
for (const { name, what, experiment } of selected) {
  const step = await quietly(() => buildDistillerStep('native', experiment));
  try {
    const ms = await quietly(() => medianMs(step.run, { warmUp, steps }));
    native[name] = { ms, params: countParams(step.student) };
    console.log(`${what.padEnd(24)} native ${ms.toFixed(1).padStart(8)} ms/step`);
    if (options.profile) {
      const profile = await profileKernels(step.run, 'native', 1);
      console.log(
        `  one profiled step: ${profile.wallMs.toFixed(1)} ms, ${profile.kernelMs.toFixed(1)} ms in kernels; top 15 kernels:`,
      );
      printKernelTable(profile, { top: 15, indent: '  ' });
      console.log();
    }
  } finally {
    step.dispose();
  }
}

let torch;
if (!options['skip-pytorch']) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_resnet.py');
  const python = findPythonWithTorch(options.python);
  if (python === undefined) {
    console.log(`\nPyTorch: not run (${noTorchAdvice})`);
  } else {
    console.log(`\nPyTorch (${python} ${script}, CPU, float32, torch.set_num_threads(${threads}))`);
    const args = ['--steps', String(steps), '--warm-up', String(warmUp), '--threads', String(threads), '--json'];
    const run = spawnSync(python, [script, ...args, '--only', selected.map((step) => step.name).join(',')], {
      encoding: 'utf8',
    });
    if (run.status !== 0) {
      console.log(`  failed: ${run.stderr.trim().split('\n').at(-1)}`);
    } else {
      const lines = run.stdout.trim().split('\n');
      for (const line of lines.slice(0, -1)) console.log(`  ${line}`);
      torch = JSON.parse(lines.at(-1));
    }
  }
}

console.log(`\nload average ${load()}`);
const cell = (value, digits = 1) => (value === undefined ? '—' : value.toFixed(digits));
const rows = selected.map(({ name, what }) => [
  what,
  cell(native[name]?.ms),
  cell(torch?.[name]?.ms),
  torch?.[name] === undefined ? '—' : `${cell(native[name].ms / torch[name].ms, 2)}×`,
]);
const header = ['step', 'native ms', 'PyTorch ms', 'native / PyTorch'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  `| ${cells.map((text, i) => (i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]))).join(' | ')} |`;
console.log();
console.log(line(header));
console.log(`|${widths.map((width, i) => (i === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(
  `\ntrainable parameters (Distillery / PyTorch, the student's): ${selected
    .map(({ name }) => `${name} ${native[name].params}${torch?.[name] === undefined ? '' : ` / ${torch[name].params}`}`)
    .join(', ')}`,
);
