import { Reader, Writer } from 'protobufjs/minimal.js';
import type { OnnxValueInfo } from './OnnxGraph.js';
import { onnxField } from './onnxField.js';

const lengthDelimited = 2;

/**
 * The ONNX model in `bytes` with `outputs` appended to its main graph's outputs, so that a session computes and returns
 * them: how an intermediate value becomes a tap. Everything else is copied byte for byte. `bytes` must hold a graph
 * (see `readOnnxGraph`).
 */
export function withGraphOutputs(bytes: Uint8Array, outputs: readonly OnnxValueInfo[]): Uint8Array {
  if (outputs.length === 0) return bytes;
  const graph = lastGraphField(bytes);
  const writer = Writer.create()
    .raw(bytes.subarray(0, graph.start))
    .uint32(tag(onnxField.model.graph))
    .fork()
    .raw(bytes.subarray(graph.valueStart, graph.end));
  for (const output of outputs) {
    writer.uint32(tag(onnxField.graph.output)).fork().uint32(tag(onnxField.valueInfo.name)).string(output.name);
    if (output.type !== undefined) writer.uint32(tag(onnxField.valueInfo.type)).bytes(output.type);
    writer.ldelim();
  }
  return writer.ldelim().raw(bytes.subarray(graph.end)).finish();
}

/** Where the model's (last) `graph` field lies: its tag's offset, its value's offset, and its end. */
function lastGraphField(bytes: Uint8Array): { start: number; valueStart: number; end: number } {
  const reader = Reader.create(bytes);
  let found: { start: number; valueStart: number; end: number } | undefined;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const key = reader.uint32();
    if (key === tag(onnxField.model.graph)) {
      const length = reader.uint32();
      found = { start, valueStart: reader.pos, end: reader.pos + length };
      reader.skip(length);
    } else {
      reader.skipType(key & 7);
    }
  }
  if (found === undefined) throw new Error('the model has no graph');
  return found;
}

/** The key of a length-delimited field (every field written here is a message or a string). */
function tag(field: number): number {
  return (field << 3) | lengthDelimited;
}
