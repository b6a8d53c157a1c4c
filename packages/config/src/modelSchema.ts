import { resolveZooKey } from '@distillery/zoo';
import * as z from 'zod';

const units = z.number().int().positive();
const rate = z.number().min(0).lt(1);

const mlp = z.strictObject({
  type: z.literal('mlp'),
  /** Units of each hidden ReLU layer. */
  hidden: z.array(units).default([128]),
  /** Dropout after each hidden layer (Hinton 2015's teacher used 0.5, with 0.2 on the inputs). */
  dropout: rate.default(0),
  inputDropout: rate.default(0),
});

const cnn = z.strictObject({
  type: z.literal('cnn'),
  /** Filters of each 3×3 'same' ReLU convolution; a 2×2 max-pool follows each. */
  channels: z.array(units).min(1).default([32, 64]),
  batchNorm: z.boolean().default(false),
  /** Units of a dense ReLU layer before the logits; 0 for none. */
  dense: z.number().int().min(0).default(128),
  dropout: rate.default(0),
});

const zoo = z.strictObject({
  type: z.literal('zoo'),
  /**
   * A model of @distillery/zoo by key: resnet8 … resnet110, resnet8x4, resnet32x4, wrn-16-1 … wrn-40-2, vgg8,
   * vgg13, mobilenetv2, shufflenetv2, lenet5, or any resnet<6n+2>, resnet<6n+2>x4, wrn-<6n+4>-<k>. Layers are named
   * `<model name>_stage1` … `_pool`, `_logits` for taps.
   */
  name: z.string().check((context) => {
    try {
      resolveZooKey(context.value);
    } catch (error) {
      context.issues.push({ code: 'custom', input: context.value, message: (error as Error).message });
    }
  }),
});

const file = z.strictObject({
  type: z.literal('file'),
  /** A tfjs model directory (model.json + weights.bin), relative to the config file. */
  path: z.string().min(1),
});

const onnx = z.strictObject({
  type: z.literal('onnx'),
  /** An .onnx file, relative to the config file: a teacher run forward by onnxruntime (@distillery/teacher-onnx). */
  path: z.string().min(1),
  /** The graph input fed with the data; the model's only input when left out. */
  input: z.string().min(1).optional(),
  /** How the model lays out images: nchw (PyTorch's) or nhwc; read off the model's input shape when left out. */
  layout: z.enum(['nchw', 'nhwc']).optional(),
  /** The graph output holding the logits [B, C]; the first output when left out. */
  logits: z.string().min(1).optional(),
  /**
   * Values strategies may tap, by their names in the graph: extra graph outputs, or intermediate values (made
   * outputs when the model loads). Every graph output besides the logits when left out.
   */
  features: z.array(z.string().min(1)).optional(),
});

const graphModel = z.strictObject({
  type: z.literal('graph-model'),
  /** A TF.js GraphModel directory (model.json + weight shards), relative to the config file. */
  path: z.string().min(1),
  /** The node whose output is the logits [B, C]; the model's only output when left out. */
  logits: z.string().min(1).optional(),
  /** Nodes strategies may tap, by name (`StatefulPartitionedCall/model/stage2/Relu`). */
  features: z.array(z.string().min(1)).default([]),
});

/** A model built fresh for each seed: an MLP, a small CNN, or a vision net of @distillery/zoo. */
export const zooModelSchema = z.discriminatedUnion('type', [mlp, cnn, zoo]);

/**
 * A teacher's model: built fresh (and trained on the labels first), or loaded and used as it is — a saved tfjs model
 * directory, an ONNX file, or a TF.js GraphModel.
 */
export const modelSchema = z.discriminatedUnion('type', [mlp, cnn, zoo, file, onnx, graphModel]);
