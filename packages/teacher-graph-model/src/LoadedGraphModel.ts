import type { GraphModel } from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';

/** A GraphModel however it was loaded: `loadGraphModel` (a URL or an IOHandler) or `loadGraphModelSync`. */
export type LoadedGraphModel = GraphModel<string | tf.io.IOHandler> | GraphModel<tf.io.IOHandlerSync>;
