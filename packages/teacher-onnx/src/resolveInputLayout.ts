import { describeDims } from './describeDims.js';
import { isFixedSize } from './isFixedSize.js';
import type { OnnxLayout } from './OnnxLayout.js';

/** Where the data's examples fit the model's input, and in which layout; or why they do not. */
export type InputFit = { readonly fits: true; readonly layout: OnnxLayout } | { readonly fits: false; readonly problem: string };

/**
 * Whether examples of `dataShape` (channels last) fit a model input of shape `dims` (onnxruntime's: a size, or a name or
 * -1 where any size goes; empty when the file does not say), and in which layout. An image input of rank 4 takes `layout`
 * when given, else the one its sizes allow (NCHW where both or neither settle it: what PyTorch exports). Another input
 * must be [B, ...dataShape]. The batch size must be free, since Distillery runs batches of any size.
 * The problem is a clause that follows `input 'name' `.
 */
export function resolveInputLayout(
  name: string,
  dims: readonly (number | string)[],
  dataShape: readonly number[],
  layout: OnnxLayout | undefined,
): InputFit {
  const model = describeDims(dims);
  const data = `[${dataShape.join(', ')}]`;
  const batched = (example: readonly number[]) => `[B, ${example.join(', ')}]`;
  const image = dataShape.length === 3 && (dims.length === 4 || dims.length === 0);
  let chosen: OnnxLayout = 'nhwc';
  if (image) {
    const [height = 0, width = 0, channels = 0] = dataShape;
    const orders: Record<OnnxLayout, readonly number[]> = { nchw: [channels, height, width], nhwc: [height, width, channels] };
    const fitting = (['nchw', 'nhwc'] as const).filter((order) => dims.length === 0 || fitsExample(dims, orders[order]));
    if (layout !== undefined && !fitting.includes(layout)) {
      return {
        fits: false,
        problem: `takes ${model}, but in layout '${layout}' the data's examples ${data} give ${batched(orders[layout])}`,
      };
    }
    if (fitting.length === 0) {
      return {
        fits: false,
        problem: `takes ${model}, but the data's examples ${data} give ${batched(orders.nchw)} as NCHW or ${batched(orders.nhwc)} as NHWC`,
      };
    }
    chosen = layout ?? (fitting.includes('nchw') ? 'nchw' : 'nhwc');
  } else if (dims.length > 0 && !fitsExample(dims, dataShape)) {
    return { fits: false, problem: `takes ${model}, but the data's examples ${data} give ${batched(dataShape)}` };
  }
  const batch = dims[0];
  if (typeof batch === 'number' && batch > 0) {
    const shown = image ? `${model} (${chosen.toUpperCase()})` : model;
    return {
      fits: false,
      problem: `takes ${shown}: a fixed batch of ${batch}, where Distillery runs batches of any size; export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={'${name}': {0: 'batch'}}))`,
    };
  }
  return { fits: true, layout: chosen };
}

/** Whether the sizes after the batch in `dims` are those of `example`, where a name or -1 matches any size. */
function fitsExample(dims: readonly (number | string)[], example: readonly number[]): boolean {
  return dims.length === example.length + 1 && example.every((size, i) => !isFixedSize(dims[i + 1]) || dims[i + 1] === size);
}
