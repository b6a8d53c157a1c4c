import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DistilleryError, type ForwardModel } from '@distillery/core';
import { createOnnxTeacher } from './createOnnxTeacher.js';
import { firstLine } from './firstLine.js';
import type { OnnxTeacherOptions } from './OnnxTeacherOptions.js';

/**
 * The ONNX model at `path` (exported from PyTorch or elsewhere) as a Distillery teacher: a `ForwardModel` run by
 * onnxruntime-node on the CPU, with logits from `options.logits` and taps from `options.features`, fed the data's
 * examples of `options.inputShape`. It is loaded, checked and run once on a zero example here, so a model that does not
 * fit the data fails now, in one line naming the file. The caller disposes the model.
 */
export async function loadOnnxTeacher(path: string, options: OnnxTeacherOptions): Promise<ForwardModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DistilleryError(`ONNX model not found: ${path}`);
    throw new DistilleryError(`ONNX model ${path} cannot be read (${firstLine(error)})`);
  }
  return createOnnxTeacher(bytes, options, { description: `ONNX model ${basename(path)}`, source: path });
}
