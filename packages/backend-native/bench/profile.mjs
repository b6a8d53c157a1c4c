// Where one training step spends its time, kernel by kernel (tf.profile), on one backend. Prints figures.
//
//   npm run build -w @distillery/backend-native && node packages/backend-native/bench/profile.mjs [--step mlp-kd|cnn] [--backend native] [--steps 5]
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../dist/index.js';
import { buildStep, printKernelTable, profileKernels, quietly } from './benchSteps.mjs';

const { values: options } = parseArgs({
  options: {
    step: { type: 'string', default: 'mlp-kd' },
    backend: { type: 'string', default: 'native' },
    steps: { type: 'string', default: '5' },
  },
});
const step = await quietly(async () => {
  const built = await buildStep(options.step, options.backend);
  for (let i = 0; i < 2; i++) await built.run();
  return built;
});

const profile = await profileKernels(step.run, options.backend, Number(options.steps));
step.dispose();

console.log(
  `${options.step} step on ${options.backend}: ${profile.wallMs.toFixed(1)} ms/step profiled, ${profile.kernelMs.toFixed(1)} ms in kernels`,
);
printKernelTable(profile);
