// Milliseconds per training step on the native, cpu and wasm backends, GEMM GFLOP/s of the addon, and the
// same steps in PyTorch (bench/pytorch_steps.py) when python3 has torch. Prints figures; it is not a test.
//
//   npm run build -w @distillery/backend-native && node packages/backend-native/bench/steps.mjs [--steps 20] [--warm-up 3]
//
// Options: --steps N (timed steps per figure), --warm-up N, --cpu-steps N (the cpu backend's CNN step takes
// seconds, so it gets fewer), --threads N (the addon's threads; default: the addon's own choice),
// --skip-pytorch, --python PATH.
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon, nativeBackendError } from '../dist/index.js';
import { buildStep, findPythonWithTorch, medianMs, noTorchAdvice, quietly } from './benchSteps.mjs';

const { values: options } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    'warm-up': { type: 'string', default: '3' },
    'cpu-steps': { type: 'string', default: '3' },
    threads: { type: 'string' },
    'skip-pytorch': { type: 'boolean', default: false },
    python: { type: 'string' },
  },
});
const steps = Number(options.steps);
const warmUp = Number(options['warm-up']);
const cpuSteps = Number(options['cpu-steps']);
const addon = nativeAddon.binding;
if (addon === undefined) {
  console.error(`the native backend is not available: ${nativeBackendError}`);
  process.exit(1);
}
if (options.threads !== undefined) addon.setThreads(Number(options.threads));

console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs; Node ${process.version}`);
console.log(`addon: ${addon.simd()} kernels, ${addon.threads()} threads; tfjs ${tf.version_core}`);
console.log(`median of ${steps} steps after ${warmUp} warm-up steps (cpu backend, CNN: ${cpuSteps} steps after 1)\n`);

// GEMM throughput of the addon alone, C = A·B (no epilogue): 1024³ and the products of the MLP KD step.
const gemmShapes = [
  { what: '1024×1024×1024', m: 1024, n: 1024, k: 1024 },
  { what: 'teacher 128×784·784×1200', m: 128, n: 1200, k: 784 },
  { what: 'teacher 128×1200·1200×1200', m: 128, n: 1200, k: 1200 },
  { what: 'student 128×784·784×800', m: 128, n: 800, k: 784 },
  { what: 'student 128×800·800×800', m: 128, n: 800, k: 800 },
  { what: 'student 128×800·800×10', m: 128, n: 10, k: 800 },
  { what: 'student dW 784×128·128×800 (Aᵀ)', m: 784, n: 800, k: 128, transposeA: true },
  { what: 'student dX 128×800·800×784 (Bᵀ)', m: 128, n: 784, k: 800, transposeB: true },
];
console.log('GEMM (addon.matMul, float32)');
for (const { what, m, n, k, transposeA = false, transposeB = false } of gemmShapes) {
  const a = Float32Array.from({ length: m * k }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: k * n }, () => Math.random() - 0.5);
  const out = new Float32Array(m * n);
  const repeats = Math.max(3, Math.round(2e9 / (2 * m * n * k)));
  const ms = await medianMs(() => addon.matMul(a, b, out, 1, m, n, k, transposeA, transposeB, 0, 0, null, 0, 0, null), {
    warmUp: 2,
    steps: repeats,
  });
  console.log(`  ${what.padEnd(36)} ${((2 * m * n * k) / (ms * 1e6)).toFixed(1).padStart(7)} GFLOP/s  (${ms.toFixed(3)} ms)`);
}

const figures = {};
async function time(kind, backend, timing) {
  const step = await quietly(() => buildStep(kind, backend));
  try {
    const ms = await quietly(() => medianMs(step.run, timing));
    figures[`${kind}/${backend}`] = ms;
    console.log(`  ${backend.padEnd(7)} ${ms.toFixed(1).padStart(9)} ms/step`);
  } finally {
    step.dispose();
  }
}

console.log(
  '\n(a) Hinton MNIST KD step: batch 128, teacher 784-1200-1200-10 inference, student 784-800-800-10 KD (T=20) + CE, Adam',
);
await time('mlp-kd', 'native', { warmUp, steps });
await time('mlp-kd', 'wasm', { warmUp, steps });
await time('mlp-kd', 'cpu', { warmUp: 1, steps: Math.max(cpuSteps, 3) });

console.log('\n(b) CNN step: conv32-pool-conv64-pool-batchnorm-dense, batch 64, 28×28×1, forward + backward, Adam');
await time('cnn', 'native', { warmUp, steps });
console.log('  wasm    cannot run it: tfjs-backend-wasm has no Conv2DBackpropFilter kernel');
await time('cnn', 'cpu', { warmUp: 1, steps: cpuSteps });

const ratio = (a, b) => (figures[a] / figures[b]).toFixed(2);
console.log('\nratios measured in this run');
console.log(
  `  MLP KD: wasm / native ${ratio('mlp-kd/wasm', 'mlp-kd/native')}×, cpu / native ${ratio('mlp-kd/cpu', 'mlp-kd/native')}×`,
);
console.log(`  CNN:    cpu / native ${ratio('cnn/cpu', 'cnn/native')}× (target: at least 50×)`);

if (!options['skip-pytorch']) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch_steps.py');
  const python = findPythonWithTorch(options.python);
  if (python === undefined) {
    console.log(`\nPyTorch: not run (${noTorchAdvice})`);
  } else {
    console.log(`\nPyTorch (${python} ${script}, CPU, float32, torch.set_num_threads(2))`);
    const run = spawnSync(python, [script, '--steps', String(steps), '--warm-up', String(warmUp), '--json'], {
      encoding: 'utf8',
    });
    if (run.status !== 0) {
      console.log(`  failed: ${run.stderr.trim().split('\n').at(-1)}`);
    } else {
      const lines = run.stdout.trim().split('\n');
      for (const line of lines.slice(0, -1)) console.log(`  ${line}`);
      const torch = JSON.parse(lines.at(-1));
      console.log(`  MLP KD: native / PyTorch ${(figures['mlp-kd/native'] / torch.mlpKdMs).toFixed(2)}× (target: at most 1.5×)`);
      console.log(`  CNN:    native / PyTorch ${(figures['cnn/native'] / torch.cnnMs).toFixed(2)}×`);
    }
  }
}
