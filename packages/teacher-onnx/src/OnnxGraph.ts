/** A named value of an ONNX graph (a graph input, output or `value_info` entry) as written in the file. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Its serialized `TypeProto`, copied as is into an output added for it; undefined when the file gives no type. */
  readonly type: Uint8Array | undefined;
}

/**
 * What Distillery reads from an ONNX file's main graph without running it: the names a feature may be tapped by and the
 * parameters it holds. onnxruntime's session gives the inputs' and outputs' types and shapes; this gives the rest.
 */
export interface OnnxGraph {
  /** The graph's inputs, initializers included where the file lists them as inputs (IR version < 4 does). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Every value a node of the main graph computes, in node order: what can be made a graph output. */
  readonly nodeOutputs: readonly string[];
  /** The types the file records for intermediate values (`value_info`), by name. */
  readonly valueTypes: ReadonlyMap<string, Uint8Array>;
  /** Elements of the floating-point initializers: the trained weights. */
  readonly parameterCount: number;
}
