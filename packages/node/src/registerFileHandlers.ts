import * as tf from '@tensorflow/tfjs-core';
import { fileSystemHandler } from './fileSystemHandler.js';

let registered = false;

/**
 * Makes `file://` URLs work with tf.loadLayersModel and model.save when tfjs-node is absent
 * (tfjs-node registers its own handlers, which are then left in charge).
 */
export function registerFileHandlers(): void {
  if (registered || tf.io.getLoadHandlers('file:///probe').length > 0) return;
  // tfjs routers answer null for URLs they do not handle, though the typing says otherwise.
  const route = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? fileSystemHandler(url) : null) as Parameters<
    typeof tf.io.registerSaveRouter
  >[0];
  tf.io.registerSaveRouter(route);
  tf.io.registerLoadRouter(route);
  registered = true;
}
