// Broadcasting binary ops and axis reductions on the native backend against the same-shape elementwise op
// (issue 16's target: a two-sided broadcast subtract within 1.5× of the same-shape subtract). Prints figures.
//
//   npm run build -w @distillery/backend-native && node --expose-gc packages/backend-native/bench/broadcast.mjs [--runs 20]
//
// Each op allocates a fresh output of up to 16 MB, and when V8 collects those buffers is a matter of luck:
// a collection inside one timing costs tens of ms. With --expose-gc every run starts after a collection,
// outside the timing, so the figures compare the operations rather than the collector.
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { nativeBackendError } from '../dist/index.js';
import { quietly } from './benchSteps.mjs';

const { values: options } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(options.runs);
if (!(await quietly(() => tf.setBackend('native')))) {
  console.error(`the native backend is not available: ${nativeBackendError}`);
  process.exit(1);
}

/** Median wall time of `op` in ms, its result read back, after three warm-up runs. */
function medianMs(op) {
  for (let i = 0; i < 3; i++) tf.dispose(op());
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const start = performance.now();
    const result = op();
    result.dataSync();
    times.push(performance.now() - start);
    result.dispose();
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

const x = tf.randomNormal([128, 256]);
const [a, b] = [tf.randomNormal([128, 128, 256]), tf.randomNormal([128, 128, 256])];
const activations = tf.randomNormal([64, 32, 32, 16]);
const channel = tf.randomNormal([16]);
const rows = [
  ['two-sided subtract [128, 1, 256] − [1, 128, 256]', medianMs(() => tf.sub(tf.expandDims(x, 1), tf.expandDims(x, 0)))],
  ['same-shape subtract [128, 128, 256]', medianMs(() => tf.sub(a, b))],
  ['per-channel multiply [64, 32, 32, 16] × [16]', medianMs(() => tf.mul(activations, channel))],
  ['sum over N, H, W of [64, 32, 32, 16]', medianMs(() => tf.sum(activations, [0, 1, 2]))],
  ['mean over N, H, W of [64, 32, 32, 16]', medianMs(() => tf.mean(activations, [0, 1, 2]))],
  ['sum over the last axis of [128, 128, 256]', medianMs(() => tf.sum(a, -1))],
];
for (const [what, ms] of rows) console.log(`${what.padEnd(52)} ${ms.toFixed(2).padStart(8)} ms`);
if (globalThis.gc === undefined) console.log('(without --expose-gc: garbage collections fall inside the timings)');
console.log(`two-sided / same-shape subtract: ${(rows[0][1] / rows[1][1]).toFixed(2)}× (target ≤ 1.5×)`);
tf.dispose([x, a, b, activations, channel]);
