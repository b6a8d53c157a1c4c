import { crc32 } from 'node:zlib';
import type { StateTensor, TrainingState } from '@distillery/core';
import { trainingStateFormat } from './trainingStateFormat.js';

// The layout is trainingStateFormat's. The header holds the fingerprint, the data section's length and the state
// with each tensor's values replaced by where they lie in the data section, so that a reader can tell a truncated
// file from a corrupt one. JSON has no NaN or ±Infinity, yet a diverging run's losses can be either.
const {
  magic: MAGIC,
  endMagic: END_MAGIC,
  preambleBytes: PREAMBLE_BYTES,
  trailerBytes: TRAILER_BYTES,
  nonFiniteKey: NON_FINITE,
  alignTo4,
} = trainingStateFormat;

interface TensorPlacement {
  readonly tensor: StateTensor;
  readonly offset: number;
}

/**
 * A training state and the fingerprint of the stage it belongs to as one self-checking file, so that a
 * resumed run can tell a whole checkpoint from one cut short or damaged.
 */
export function encodeTrainingState(state: TrainingState, fingerprint: string): Uint8Array {
  const placements: TensorPlacement[] = [];
  let dataBytes = 0;
  const place = (tensor: StateTensor, where: string) => {
    checkTensor(tensor, where);
    const offset = dataBytes;
    placements.push({ tensor, offset });
    dataBytes += tensor.values.length * 4;
    return { shape: [...tensor.shape], dtype: tensor.dtype, offset, bytes: tensor.values.length * 4 };
  };
  const header = {
    fingerprint,
    dataBytes: 0,
    state: {
      version: state.version,
      epoch: state.epoch,
      batch: state.batch,
      globalStep: state.globalStep,
      history: state.history,
      epochSums: state.epochSums,
      teacherCacheKey: state.teacherCacheKey,
      layerDraws: state.layerDraws,
      studentWeights: state.studentWeights.map((tensor, i) => place(tensor, `studentWeights[${i}]`)),
      strategyWeights: state.strategyWeights.map((tensor, i) => place(tensor, `strategyWeights[${i}]`)),
      ...(state.peerWeights === undefined
        ? {}
        : {
            peerWeights: state.peerWeights.map((weights, p) =>
              weights.map((tensor, i) => place(tensor, `peerWeights[${p}][${i}]`)),
            ),
          }),
      ...(state.strategyState === undefined
        ? {}
        : { strategyState: state.strategyState.map((tensor, i) => place(tensor, `strategyState[${i}]`)) }),
      optimizer: state.optimizer.map(({ name, tensor }, i) => ({ name, tensor: place(tensor, `optimizer[${i}] (${name})`) })),
    },
  };
  header.dataBytes = dataBytes;
  const json = new TextEncoder().encode(
    JSON.stringify(header, (_key, value) =>
      typeof value === 'number' && !Number.isFinite(value) ? { [NON_FINITE]: String(value) } : value,
    ),
  );
  const dataStart = alignTo4(PREAMBLE_BYTES + json.byteLength);
  const dataEnd = dataStart + dataBytes;
  const bytes = new Uint8Array(dataEnd + TRAILER_BYTES);
  const view = new DataView(bytes.buffer);
  writeAscii(bytes, 0, MAGIC);
  view.setUint32(8, json.byteLength, true);
  bytes.set(json, PREAMBLE_BYTES);
  // DataView rather than copying the arrays' bytes: the file is little-endian whatever the machine is.
  for (const { tensor, offset } of placements) {
    const { values, dtype } = tensor;
    const start = dataStart + offset;
    if (dtype === 'float32') {
      for (let i = 0; i < values.length; i++) view.setFloat32(start + i * 4, values[i] as number, true);
    } else {
      for (let i = 0; i < values.length; i++) view.setInt32(start + i * 4, values[i] as number, true);
    }
  }
  writeAscii(bytes, dataEnd, END_MAGIC);
  view.setUint32(dataEnd + END_MAGIC.length, crc32(bytes.subarray(0, dataEnd)), true);
  return bytes;
}

/** A tensor whose values disagree with its shape or dtype would be restored wrong: a bug, caught before writing. */
function checkTensor({ shape, dtype, values }: StateTensor, where: string): void {
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0) || values.length !== size) {
    throw new RangeError(`training state: ${where} has ${values.length} values for shape [${shape.join(', ')}]`);
  }
  const expected = dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : undefined;
  if (expected === undefined || !(values instanceof expected)) {
    throw new RangeError(`training state: ${where} has dtype '${dtype}' but holds a ${values.constructor.name}`);
  }
}

function writeAscii(bytes: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
}
