/**
 * The field numbers of onnx/onnx.proto that Distillery reads and writes. They are part of the ONNX format and never
 * change (protobuf keeps field numbers forever), so the few needed here stand in for generated code.
 */
export const onnxField = {
  model: { graph: 7 },
  graph: { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 },
  node: { output: 2 },
  tensor: { dims: 1, dataType: 2 },
  valueInfo: { name: 1, type: 2 },
  type: { tensorType: 1 },
  tensorType: { elemType: 1 },
} as const;
