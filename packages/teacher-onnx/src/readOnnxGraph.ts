import { type Long, Reader } from 'protobufjs/minimal.js';
import type { OnnxGraph, OnnxValueInfo } from './OnnxGraph.js';
import { onnxField } from './onnxField.js';

const lengthDelimited = 2;
/** TensorProto.DataType values of trained weights: FLOAT, FLOAT16, DOUBLE, BFLOAT16 (integer ones are shapes, indices). */
const floatingPointTypes = new Set([1, 10, 11, 16]);

/**
 * The main graph of the ONNX model in `bytes` (a serialized `ModelProto`), read field by field with protobufjs's wire
 * reader: only the few fields Distillery needs, so it needs no generated code for onnx.proto. Throws protobufjs's error
 * when the bytes are not protobuf; returns undefined when they hold no graph.
 */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph | undefined {
  const parts: Uint8Array[] = [];
  forEachField(bytes, (field, reader) => {
    if (field !== onnxField.model.graph) return false;
    parts.push(embedded(reader));
    return true;
  });
  if (parts.length === 0) return undefined;
  // A message given in parts is their merge, and concatenated protobuf messages parse as their merge.
  return readGraph(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts));
}

function readGraph(bytes: Uint8Array): OnnxGraph {
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const nodeOutputs: string[] = [];
  const valueTypes = new Map<string, Uint8Array>();
  let parameterCount = 0;
  forEachField(bytes, (field, reader) => {
    switch (field) {
      case onnxField.graph.node:
        nodeOutputs.push(...readNodeOutputs(embedded(reader)));
        return true;
      case onnxField.graph.initializer:
        parameterCount += readWeightCount(embedded(reader));
        return true;
      case onnxField.graph.input:
        inputs.push(readValueInfo(embedded(reader)));
        return true;
      case onnxField.graph.output:
        outputs.push(readValueInfo(embedded(reader)));
        return true;
      case onnxField.graph.valueInfo: {
        const value = readValueInfo(embedded(reader));
        if (value.type !== undefined) valueTypes.set(value.name, value.type);
        return true;
      }
      default:
        return false;
    }
  });
  return { inputs, outputs, nodeOutputs, valueTypes, parameterCount };
}

function readNodeOutputs(bytes: Uint8Array): string[] {
  const names: string[] = [];
  forEachField(bytes, (field, reader) => {
    if (field !== onnxField.node.output) return false;
    names.push(reader.string());
    return true;
  });
  return names;
}

function readValueInfo(bytes: Uint8Array): OnnxValueInfo {
  let name = '';
  let type: Uint8Array | undefined;
  forEachField(bytes, (field, reader) => {
    if (field === onnxField.valueInfo.name) name = reader.string();
    else if (field === onnxField.valueInfo.type) type = embedded(reader);
    else return false;
    return true;
  });
  return { name, type };
}

/** Elements of an initializer that holds weights, 0 for one of another type (a shape, indices). */
function readWeightCount(bytes: Uint8Array): number {
  const dims: number[] = [];
  let dataType = 0;
  forEachField(bytes, (field, reader, wireType) => {
    if (field === onnxField.tensor.dims) {
      // proto2 writes repeated int64 unpacked, but a reader must accept the packed form too.
      if (wireType === lengthDelimited) {
        const end = reader.uint32() + reader.pos;
        while (reader.pos < end) dims.push(toNumber(reader.int64()));
      } else {
        dims.push(toNumber(reader.int64()));
      }
    } else if (field === onnxField.tensor.dataType) {
      dataType = reader.int32();
    } else {
      return false;
    }
    return true;
  });
  return floatingPointTypes.has(dataType) ? dims.reduce((product, size) => product * size, 1) : 0;
}

/**
 * Calls `read` for each field of the message in `bytes` with a reader positioned at its value; `read` consumes the value
 * and returns true, or returns false to have it skipped.
 */
function forEachField(bytes: Uint8Array, read: (field: number, reader: Reader, wireType: number) => boolean): void {
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) throw new Error(`invalid protobuf field number 0 at offset ${reader.pos}`);
    if (!read(field, reader, wireType)) reader.skipType(wireType);
  }
}

/** The bytes of the embedded message at the reader's position, as a view of the buffer (models run to gigabytes). */
function embedded(reader: Reader): Uint8Array {
  const length = reader.uint32();
  const start = reader.pos;
  reader.skip(length);
  return reader.buf.subarray(start, start + length);
}

/** An int64 as a number: exact for the sizes of tensors, which stay far below 2^53. */
function toNumber(value: number | Long): number {
  return typeof value === 'number' ? value : value.high * 2 ** 32 + (value.low >>> 0);
}
