import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../composition/Logger.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { backendSpeedOrder } from './backendSpeedOrder.js';
import { selectBackend } from './selectBackend.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

function recordingLogger(): Logger & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (message) => infos.push(message), warn: (message) => warnings.push(message) };
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

// tfjs names its matrix-product kernel BatchMatMul (there is no kernel called MatMul). With only the cpu and wasm
// backends registered, `auto` tries wasm first: backendSpeedOrder puts it ahead of cpu.
describe('selectBackend', () => {
  it('ranks wasm ahead of cpu', () => {
    expect(backendSpeedOrder.indexOf('wasm')).toBeLessThan(backendSpeedOrder.indexOf('cpu'));
  });

  it('chooses wasm under auto when it has every kernel, and logs why', async () => {
    const logger = recordingLogger();
    expect(await selectBackend('auto', ['BatchMatMul'], logger)).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(logger.infos).toEqual([
      'backend: wasm, the fastest installed backend with all 1 kernel a training step runs; ' +
        'tensorflow is not installed; native is not installed',
    ]);
  });

  it('passes over wasm under auto when it lacks a kernel, and says which', async () => {
    const logger = recordingLogger();
    expect(await selectBackend('auto', ['BatchMatMul', 'Conv2DBackpropFilter'], logger)).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(logger.infos).toEqual([
      'backend: cpu, the fastest installed backend with all 2 kernels a training step runs; ' +
        'tensorflow is not installed; native is not installed; wasm has no Conv2DBackpropFilter',
    ]);
  });

  it('fails under auto when no installed backend has a kernel', async () => {
    const error = await rejectionOf(selectBackend('auto', ['NoSuchKernel'], recordingLogger()));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      'backend: no installed backend can train this experiment ' +
        '(tensorflow is not installed; native is not installed; wasm has no NoSuchKernel; cpu has no NoSuchKernel)',
    );
  });

  it('uses an explicitly named backend that has every kernel', async () => {
    const logger = recordingLogger();
    expect(await selectBackend('wasm', ['BatchMatMul'], logger)).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(logger.infos).toEqual(['backend: wasm (as configured)']);
  });

  it('refuses an explicitly named backend that is not installed, naming those that are', async () => {
    const error = await rejectionOf(selectBackend('tensorflow', ['BatchMatMul'], recordingLogger()));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error).toMatchObject({ message: "backend: 'tensorflow' is not installed; installed: wasm, cpu", field: 'backend' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses an explicitly named backend that lacks a kernel, naming the kernel', async () => {
    const error = await rejectionOf(selectBackend('wasm', ['BatchMatMul', 'Conv2DBackpropFilter'], recordingLogger()));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe("backend: 'wasm' cannot train this experiment, it has no kernel for Conv2DBackpropFilter");
    expect(tf.getBackend()).toBe('cpu');
  });
});
