#!/usr/bin/env node
import * as tf from '@tensorflow/tfjs-core';
import { runProgram } from './createProgram.js';

// tfjs's notices (its "install tfjs-node" banner) would interleave with the CLI's own output; the
// backend line the CLI prints already says which backends are installed.
tf.env().set('PROD', true);

process.exitCode = await runProgram(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
