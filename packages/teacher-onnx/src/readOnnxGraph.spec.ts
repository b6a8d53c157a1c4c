import { Writer } from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { onnxModel, type TestModel } from './onnxTestKit.js';
import { readOnnxGraph } from './readOnnxGraph.js';

/** x [B, 3] · weights [3, 4] + bias [4], then a reshape to the shape held by an int64 initializer. */
const linear: TestModel = {
  inputs: [{ name: 'x', dims: ['batch', 3] }],
  outputs: [{ name: 'logits', dims: ['batch', 4] }],
  nodes: [
    { op: 'MatMul', inputs: ['x', 'weights'], outputs: ['product'] },
    { op: 'Add', inputs: ['product', 'bias'], outputs: ['sum'] },
    { op: 'Reshape', inputs: ['sum', 'shape'], outputs: ['logits'] },
  ],
  initializers: [
    { name: 'weights', dims: [3, 4], dataType: 1, values: Array.from({ length: 12 }, (_, i) => i) },
    { name: 'bias', dims: [4], dataType: 1, values: [0, 0, 0, 0], packedDims: true },
    { name: 'shape', dims: [2], dataType: 7, values: [-1, 4] },
  ],
  valueInfo: [{ name: 'product', dims: ['batch', 4] }],
};

describe('readOnnxGraph', () => {
  it("reads the main graph's inputs, outputs, node outputs and recorded value types", () => {
    const graph = readOnnxGraph(onnxModel(linear));
    expect(graph?.inputs.map((input) => input.name)).toEqual(['x']);
    expect(graph?.outputs.map((output) => output.name)).toEqual(['logits']);
    expect(graph?.inputs[0]?.type).toBeInstanceOf(Uint8Array);
    expect(graph?.nodeOutputs).toEqual(['product', 'sum', 'logits']);
    expect([...(graph?.valueTypes.keys() ?? [])]).toEqual(['product']);
  });

  it('counts the elements of floating-point initializers only, with dims packed or not', () => {
    // 3 × 4 weights and 4 biases; the int64 shape [2] is not a weight.
    expect(readOnnxGraph(onnxModel(linear))?.parameterCount).toBe(16);
  });

  it('reads a graph given in two parts as their merge, as protobuf does', () => {
    const extra = Writer.create()
      .uint32((7 << 3) | 2)
      .fork()
      .uint32((12 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('sum');
    const bytes = Buffer.concat([onnxModel(linear), extra.ldelim().ldelim().finish()]);
    expect(readOnnxGraph(bytes)?.outputs.map((output) => output.name)).toEqual(['logits', 'sum']);
  });

  it('gives undefined for protobuf without a graph, and throws on bytes that are not protobuf', () => {
    expect(readOnnxGraph(new Uint8Array([0x08, 0x07]))).toBeUndefined();
    expect(() => readOnnxGraph(new TextEncoder().encode('not a model'))).toThrow(/wire type/);
  });
});
