import type * as tfl from '@tensorflow/tfjs-layers';
import { sha256Hex } from '../teachers/sha256Hex.js';

/**
 * SHA-256 (hex) of a model's architecture and current weights: two models share it only when they
 * compute the same function. Uses Web Crypto, present in browsers and Node ≥ 20.
 */
export async function modelFingerprint(model: tfl.LayersModel): Promise<string> {
  const topology = new TextEncoder().encode(JSON.stringify(model.toJSON(null, false)));
  const weights = await Promise.all(model.getWeights().map((weight) => weight.data()));
  const parts = [topology, ...weights.map((values) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength))];
  return sha256Hex(parts);
}
