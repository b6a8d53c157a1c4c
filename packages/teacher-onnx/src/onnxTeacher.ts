import type { ForwardModel } from '@distillery/core';
import { createOnnxTeacher } from './createOnnxTeacher.js';
import type { OnnxTeacherOptions } from './OnnxTeacherOptions.js';

/**
 * The ONNX model in `bytes` as a Distillery teacher, run by onnxruntime-node on the CPU: for code that has the model's
 * bytes rather than a file ({@link loadOnnxTeacher} reads one). `description` names it in reports and errors
 * (default `ONNX model`). The caller disposes the model.
 */
export async function onnxTeacher(
  bytes: Uint8Array,
  options: OnnxTeacherOptions & { readonly description?: string },
): Promise<ForwardModel> {
  const description = options.description ?? 'ONNX model';
  return createOnnxTeacher(bytes, options, { description, source: description });
}
