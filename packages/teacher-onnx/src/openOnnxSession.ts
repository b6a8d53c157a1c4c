import { DistilleryError } from '@distillery/core';
import { InferenceSession } from 'onnxruntime-node';
import { firstLine } from './firstLine.js';

/**
 * An onnxruntime session on the model in `bytes`, on the CPU: `threads` within an operator and one between operators,
 * since a distillation runs the teacher alongside its own work; every graph optimization. A model onnxruntime cannot
 * load is one line naming `source`.
 */
export async function openOnnxSession(bytes: Uint8Array, threads: number, source: string): Promise<InferenceSession> {
  if (bytes.length === 0) throw new DistilleryError(`${source}: not a valid ONNX model (the file is empty)`);
  try {
    return await InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Its failures come back as exceptions and are reported in one line; its log would repeat them on stderr.
      logSeverityLevel: 4,
    });
  } catch (error) {
    throw new DistilleryError(`${source}: not a valid ONNX model (${firstLine(error)})`);
  }
}
