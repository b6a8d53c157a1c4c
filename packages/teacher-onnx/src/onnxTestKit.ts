// Helpers for this package's specs (left out of the build): small ONNX models written byte by byte, for the cases a
// PyTorch export does not show (other input types, fixed batches, models that fail), and the recorded PyTorch fixture.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writer } from 'protobufjs/minimal.js';

/** A graph input or output: element type (TensorProto.DataType, FLOAT = 1 by default) and shape (none: unknown). */
export interface TestValue {
  readonly name: string;
  readonly elemType?: number;
  readonly dims?: readonly (number | string)[];
}

/** A node with integer or integer-list attributes. */
export interface TestNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, number | readonly number[]>>;
}

/** An initializer: FLOAT (1) values, or INT64 (7). */
export interface TestInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  /** Write `dims` packed (one length-delimited field), as proto3 writers do, rather than one field each. */
  readonly packedDims?: boolean;
  readonly dataType: 1 | 7;
  readonly values: readonly number[];
}

export interface TestModel {
  readonly inputs: readonly TestValue[];
  readonly outputs: readonly TestValue[];
  readonly nodes: readonly TestNode[];
  readonly initializers?: readonly TestInitializer[];
  /** Types of values inside the graph (`value_info`). */
  readonly valueInfo?: readonly TestValue[];
}

const float = 1;
const lengthDelimited = 2;
const varint = 0;
const key = (field: number, wireType: number) => (field << 3) | wireType;

/** The serialized ONNX ModelProto (IR version 7, opset 13) of `model`. */
export function onnxModel(model: TestModel): Uint8Array {
  const writer = Writer.create();
  writer.uint32(key(1, varint)).int64(7); // ir_version
  writer.uint32(key(8, lengthDelimited)).fork().uint32(key(2, varint)).int64(13).ldelim(); // opset_import
  writer.uint32(key(7, lengthDelimited)).fork(); // graph
  for (const node of model.nodes) writeNode(writer, node);
  writer.uint32(key(2, lengthDelimited)).string('test');
  for (const initializer of model.initializers ?? []) writeInitializer(writer, initializer);
  for (const input of model.inputs) writeValue(writer, 11, input);
  for (const output of model.outputs) writeValue(writer, 12, output);
  for (const value of model.valueInfo ?? []) writeValue(writer, 13, value);
  return writer.ldelim().finish();
}

function writeNode(writer: Writer, node: TestNode): void {
  writer.uint32(key(1, lengthDelimited)).fork();
  for (const input of node.inputs) writer.uint32(key(1, lengthDelimited)).string(input);
  for (const output of node.outputs) writer.uint32(key(2, lengthDelimited)).string(output);
  writer.uint32(key(4, lengthDelimited)).string(node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    writer.uint32(key(5, lengthDelimited)).fork().uint32(key(1, lengthDelimited)).string(name);
    if (typeof value === 'number') writer.uint32(key(3, varint)).int64(value).uint32(key(20, varint)).int32(2);
    else {
      for (const item of value) writer.uint32(key(8, varint)).int64(item);
      writer.uint32(key(20, varint)).int32(7);
    }
    writer.ldelim();
  }
  writer.ldelim();
}

function writeInitializer(writer: Writer, initializer: TestInitializer): void {
  writer.uint32(key(5, lengthDelimited)).fork();
  if (initializer.packedDims === true) {
    writer.uint32(key(1, lengthDelimited)).fork();
    for (const size of initializer.dims) writer.int64(size);
    writer.ldelim();
  } else {
    for (const size of initializer.dims) writer.uint32(key(1, varint)).int64(size);
  }
  writer.uint32(key(2, varint)).int32(initializer.dataType);
  writer.uint32(key(8, lengthDelimited)).string(initializer.name);
  const values =
    initializer.dataType === float
      ? new Float32Array(initializer.values)
      : BigInt64Array.from(initializer.values.map((value) => BigInt(value)));
  writer.uint32(key(9, lengthDelimited)).bytes(new Uint8Array(values.buffer));
  writer.ldelim();
}

function writeValue(writer: Writer, field: number, value: TestValue): void {
  writer.uint32(key(field, lengthDelimited)).fork().uint32(key(1, lengthDelimited)).string(value.name);
  writer.uint32(key(2, lengthDelimited)).fork(); // TypeProto
  writer.uint32(key(1, lengthDelimited)).fork(); // tensor_type
  writer.uint32(key(1, varint)).int32(value.elemType ?? float);
  if (value.dims !== undefined) {
    writer.uint32(key(2, lengthDelimited)).fork(); // shape
    for (const size of value.dims) {
      writer.uint32(key(1, lengthDelimited)).fork();
      if (typeof size === 'number') writer.uint32(key(1, varint)).int64(size);
      else writer.uint32(key(2, lengthDelimited)).string(size);
      writer.ldelim();
    }
    writer.ldelim();
  }
  writer.ldelim().ldelim().ldelim();
}

/** A recorded tensor of the fixture: its shape and its values flat in row-major (NCHW) order. */
export interface RecordedTensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** What `fixtures/train_mnist_cnn.py` recorded of PyTorch on the first test digits. */
export interface MnistCnnExpected {
  readonly parameterCount: number;
  readonly inputName: string;
  readonly outputNames: readonly string[];
  readonly indices: readonly number[];
  readonly labels: readonly number[];
  readonly outputs: Readonly<Record<'logits' | 'stage1' | 'stage2' | 'stage3', RecordedTensor>>;
  readonly intermediate: RecordedTensor & { readonly name: string };
}

/** The PyTorch MNIST conv net of fixtures/ (NCHW input `image`, outputs logits, stage1…3). */
export const mnistCnnPath = fileURLToPath(new URL('../fixtures/mnist-cnn.onnx', import.meta.url));

/** PyTorch's recorded outputs for {@link mnistCnnPath}. */
export function mnistCnnExpected(): MnistCnnExpected {
  return JSON.parse(readFileSync(new URL('../fixtures/mnist-cnn.expected.json', import.meta.url), 'utf8')) as MnistCnnExpected;
}

/** Recorded NCHW values [B, C, H, W] in the order of channels-last [B, H, W, C], as float32. */
export function channelsLast(recorded: RecordedTensor): Float32Array {
  const [batch = 0, channels = 0, height = 0, width = 0] = recorded.shape;
  const moved = new Float32Array(recorded.data.length);
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < channels; c++)
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          moved[((b * height + y) * width + x) * channels + c] = recorded.data[
            ((b * channels + c) * height + y) * width + x
          ] as number;
        }
  return moved;
}
