import type { OnnxLayout } from './OnnxLayout.js';

/** How to run an ONNX model as a Distillery teacher ({@link loadOnnxTeacher}, {@link onnxTeacher}). */
export interface OnnxTeacherOptions {
  /**
   * One example's shape as Distillery's data has it, channels last: `[28, 28, 1]` for MNIST. Checked against the
   * model's input, and the shape of the probe run at load time.
   */
  readonly inputShape: readonly number[];
  /** The graph input fed with the data; by default the model's only input. */
  readonly input?: string;
  /**
   * The order of a rank-4 input: `nchw` for a PyTorch export. By default read from the model's input shape when its
   * sizes tell [C, H, W] from [H, W, C] of the data, else `nchw`. Rank-4 features of an `nchw` model are handed to
   * strategies channels last.
   */
  readonly layout?: OnnxLayout;
  /**
   * The value holding the logits [B, classes]: a graph output, or a value inside the graph (the input of a final
   * softmax); by default the first output.
   */
  readonly logits?: string;
  /**
   * The values strategies may tap, by name: graph outputs, or any value computed inside the graph, named as the graph
   * names it (`/stage3/conv/Conv_output_0`). By default every graph output but the logits.
   */
  readonly features?: readonly string[];
  /**
   * onnxruntime's threads within an operator; by default `DISTILLERY_NATIVE_THREADS` when set, else the number of
   * logical CPUs.
   */
  readonly threads?: number;
}
