// Where one training step spends its time, kernel by kernel (tf.profile), on one backend. Prints figures.
//
//   npm run build -w @distillery/backend-native && node packages/backend-native/bench/profile.mjs [--step mlp-kd|cnn] [--backend native] [--steps 5]
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '../dist/index.js';
import { buildStep } from './benchSteps.mjs';

const { values: options } = parseArgs({
  options: {
    step: { type: 'string', default: 'mlp-kd' },
    backend: { type: 'string', default: 'native' },
    steps: { type: 'string', default: '5' },
  },
});
const warn = console.warn;
console.warn = () => {};
const step = await buildStep(options.step, options.backend);
for (let i = 0; i < 2; i++) await step.run();
console.warn = warn;

const byKernel = new Map();
const steps = Number(options.steps);
let wallMs = 0;
for (let i = 0; i < steps; i++) {
  const started = performance.now();
  const profile = await tf.profile(() => step.run());
  wallMs += performance.now() - started;
  // The profile also lists op scopes (fusedMatMul__op) that contain kernels; only kernels are counted.
  for (const kernel of profile.kernels.filter(({ name }) => tf.getKernel(name, options.backend) !== undefined)) {
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += await kernel.kernelTimeMs;
    entry.calls += 1;
    byKernel.set(kernel.name, entry);
  }
}
step.dispose();

const rows = [...byKernel]
  .map(([name, { ms, calls }]) => ({ name, ms: ms / steps, calls: calls / steps }))
  .sort((a, b) => b.ms - a.ms);
const kernelMs = rows.reduce((sum, row) => sum + row.ms, 0);
console.log(
  `${options.step} step on ${options.backend}: ${(wallMs / steps).toFixed(1)} ms/step profiled, ${kernelMs.toFixed(1)} ms in kernels`,
);
console.log('kernel                      ms/step   share  calls/step');
for (const row of rows) {
  console.log(
    `${row.name.padEnd(26)} ${row.ms.toFixed(2).padStart(8)} ${((100 * row.ms) / kernelMs).toFixed(1).padStart(6)}%  ${String(row.calls).padStart(6)}`,
  );
}
