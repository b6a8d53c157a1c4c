import { describe, expect, it } from 'vitest';
import { onnxModel } from './onnxTestKit.js';
import { readOnnxGraph } from './readOnnxGraph.js';
import { withGraphOutputs } from './withGraphOutputs.js';

const bytes = onnxModel({
  inputs: [{ name: 'x', dims: ['batch', 3] }],
  outputs: [{ name: 'logits' }],
  nodes: [
    { op: 'Relu', inputs: ['x'], outputs: ['relu'] },
    { op: 'Neg', inputs: ['relu'], outputs: ['negated'] },
    { op: 'Abs', inputs: ['negated'], outputs: ['logits'] },
  ],
  initializers: [{ name: 'unused', dims: [2, 2], dataType: 1, values: [1, 2, 3, 4] }],
  valueInfo: [{ name: 'relu', dims: ['batch', 3] }],
});

describe('withGraphOutputs', () => {
  it("appends outputs to the graph's, with the types given, and keeps the rest of the model", () => {
    const graph = readOnnxGraph(bytes);
    const edited = readOnnxGraph(
      withGraphOutputs(bytes, [
        { name: 'relu', type: graph?.valueTypes.get('relu') },
        { name: 'negated', type: undefined },
      ]),
    );
    expect(edited?.outputs).toEqual([
      ...(graph?.outputs ?? []),
      { name: 'relu', type: graph?.valueTypes.get('relu') },
      { name: 'negated', type: undefined },
    ]);
    expect(edited?.inputs).toEqual(graph?.inputs);
    expect(edited?.nodeOutputs).toEqual(graph?.nodeOutputs);
    expect(edited?.valueTypes).toEqual(graph?.valueTypes);
    expect(edited?.parameterCount).toBe(4);
  });

  it('gives the same bytes when there is nothing to add', () => {
    expect(withGraphOutputs(bytes, [])).toBe(bytes);
  });
});
