/**
 * How a rank-4 model input orders an image batch: `nchw` (channels first, as PyTorch exports) or `nhwc` (channels
 * last, as Distillery's data and TensorFlow have it).
 */
export type OnnxLayout = 'nchw' | 'nhwc';
