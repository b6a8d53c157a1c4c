import { crc32 } from 'node:zlib';
import { DistilleryError, type EpochMetrics, type StateTensor, type TrainingState } from '@distillery/core';
import { trainingStateFormat } from './trainingStateFormat.js';

const {
  magic: MAGIC,
  endMagic: END_MAGIC,
  preambleBytes: PREAMBLE_BYTES,
  trailerBytes: TRAILER_BYTES,
  nonFiniteKey: NON_FINITE,
  alignTo4,
} = trainingStateFormat;

/** What is wrong with a checkpoint whose bytes are all there; decodeTrainingState words it with the path. */
class Malformed extends Error {}

/**
 * The training state and stage fingerprint that encodeTrainingState wrote, checked throughout: a file cut
 * short, damaged or of another kind is a DistilleryError naming `path`, never a state restored wrong.
 */
export function decodeTrainingState(bytes: Uint8Array, path: string): { state: TrainingState; fingerprint: string } {
  const length = bytes.byteLength;
  const refuse = (problem: string) => new DistilleryError(`checkpoint ${path} ${problem}; delete it to restart the stage`);
  const truncated = (expected: string) => refuse(`is truncated (expected ${expected} bytes, found ${length})`);
  const corrupt = (problem: string) => refuse(`is corrupt (${problem})`);

  const magicPresent = Math.min(length, MAGIC.length);
  if (!matchesAscii(bytes, 0, MAGIC.slice(0, magicPresent))) {
    throw refuse(`is not a Distillery checkpoint (it does not start with '${MAGIC}')`);
  }
  if (length < PREAMBLE_BYTES + TRAILER_BYTES) throw truncated(`at least ${PREAMBLE_BYTES + TRAILER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  // With the end marker in place the file claims to be whole: the checksum says whether it is, before any
  // length in it is believed.
  const ended = matchesAscii(bytes, length - TRAILER_BYTES, END_MAGIC);
  if (ended && view.getUint32(length - 4, true) !== crc32(bytes.subarray(0, length - TRAILER_BYTES))) {
    throw corrupt('checksum mismatch');
  }
  const headerBytes = view.getUint32(MAGIC.length, true);
  const dataStart = alignTo4(PREAMBLE_BYTES + headerBytes);
  // Once the header is whole it gives the exact size, which says more than a lower bound.
  if (length < PREAMBLE_BYTES + headerBytes) throw truncated(`at least ${dataStart + TRAILER_BYTES}`);

  let header: unknown;
  try {
    const json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerBytes));
    header = JSON.parse(json, (_key, value) => reviveNonFinite(value));
  } catch {
    throw corrupt('the header is not valid JSON');
  }
  try {
    const top = record(header, 'the header');
    const fingerprint = text(top.fingerprint, 'fingerprint');
    const dataBytes = count(top.dataBytes, 'dataBytes');
    const expected = dataStart + dataBytes + TRAILER_BYTES;
    if (length < expected) throw truncated(`${expected}`);
    if (!ended) throw corrupt(`no end marker where the header puts it, at byte ${expected - TRAILER_BYTES}`);
    if (length !== expected) throw corrupt(`the header describes ${expected} bytes, the file has ${length}`);
    const data = bytes.subarray(dataStart, dataStart + dataBytes);
    return { state: trainingState(top.state, data), fingerprint };
  } catch (error) {
    throw error instanceof Malformed ? corrupt(error.message) : error;
  }
}

function trainingState(value: unknown, data: Uint8Array): TrainingState {
  const state = record(value, 'state');
  if (state.version !== 1) throw new Malformed(`state version ${JSON.stringify(state.version)}, expected 1`);
  const teacherCacheKey = state.teacherCacheKey === null ? null : text(state.teacherCacheKey, 'teacherCacheKey');
  const layerDraws = Object.fromEntries(
    Object.entries(record(state.layerDraws, 'layerDraws')).map(([name, draws]) => [name, number(draws, `layerDraws.${name}`)]),
  );
  return {
    version: 1,
    epoch: count(state.epoch, 'epoch'),
    batch: count(state.batch, 'batch'),
    globalStep: count(state.globalStep, 'globalStep'),
    history: list(state.history, 'history').map((entry, i) => epochMetrics(entry, `history[${i}]`)),
    epochSums: list(state.epochSums, 'epochSums').map((sum, i) => number(sum, `epochSums[${i}]`)),
    teacherCacheKey,
    studentWeights: list(state.studentWeights, 'studentWeights').map((ref, i) => tensor(ref, `studentWeights[${i}]`, data)),
    strategyWeights: list(state.strategyWeights, 'strategyWeights').map((ref, i) => tensor(ref, `strategyWeights[${i}]`, data)),
    // Runs without peers write no peer weights.
    ...(state.peerWeights === undefined
      ? {}
      : {
          peerWeights: list(state.peerWeights, 'peerWeights').map((weights, p) =>
            list(weights, `peerWeights[${p}]`).map((ref, i) => tensor(ref, `peerWeights[${p}][${i}]`, data)),
          ),
        }),
    // Checkpoints written before strategies could have state have no such list.
    strategyState:
      state.strategyState === undefined
        ? []
        : list(state.strategyState, 'strategyState').map((ref, i) => tensor(ref, `strategyState[${i}]`, data)),
    optimizer: list(state.optimizer, 'optimizer').map((entry, i) => {
      const { name, tensor: ref } = record(entry, `optimizer[${i}]`);
      return { name: text(name, `optimizer[${i}].name`), tensor: tensor(ref, `optimizer[${i}].tensor`, data) };
    }),
    layerDraws,
  };
}

/** Checks the fields every epoch has; the optional ones are kept as they were written. */
function epochMetrics(value: unknown, where: string): EpochMetrics {
  const entry = record(value, where);
  for (const field of ['epoch', 'loss', 'learningRate', 'seconds'] as const) number(entry[field], `${where}.${field}`);
  for (const [term, loss] of Object.entries(record(entry.losses, `${where}.losses`))) number(loss, `${where}.losses.${term}`);
  return entry as unknown as EpochMetrics;
}

/** A fresh, aligned array (never a view into the file's bytes), read little-endian whatever the machine is. */
function tensor(value: unknown, where: string, data: Uint8Array): StateTensor {
  const ref = record(value, where);
  const shape = list(ref.shape, `${where}.shape`).map((dim, axis) => count(dim, `${where}.shape[${axis}]`));
  const { dtype } = ref;
  if (dtype !== 'float32' && dtype !== 'int32') throw new Malformed(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  const offset = count(ref.offset, `${where}.offset`);
  const bytes = count(ref.bytes, `${where}.bytes`);
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (bytes !== size * 4) {
    throw new Malformed(`${where}: ${bytes} bytes for shape [${shape.join(', ')}] of ${dtype}, expected ${size * 4}`);
  }
  if (offset + bytes > data.byteLength) {
    throw new Malformed(`${where}: bytes ${offset}..${offset + bytes} lie outside the ${data.byteLength}-byte data section`);
  }
  const view = new DataView(data.buffer, data.byteOffset + offset, bytes);
  if (dtype === 'float32') {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(i * 4, true);
    return { shape, dtype, values };
  }
  const values = new Int32Array(size);
  for (let i = 0; i < size; i++) values[i] = view.getInt32(i * 4, true);
  return { shape, dtype, values };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Malformed(`${where} is not an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Malformed(`${where} is not an array`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Malformed(`${where} is not a string`);
  return value;
}

/** Any number, NaN and ±Infinity included (a diverging run's losses are kept as they were). */
function number(value: unknown, where: string): number {
  if (typeof value !== 'number') throw new Malformed(`${where} is not a number`);
  return value;
}

function count(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Malformed(`${where} is not a non-negative integer`);
  return value as number;
}

/** encodeTrainingState writes NaN and ±Infinity, which JSON lacks, as `{ "$nonFinite": "NaN" }`. */
function reviveNonFinite(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  const written = (value as Record<string, unknown>)[NON_FINITE];
  if (keys.length !== 1 || (written !== 'NaN' && written !== 'Infinity' && written !== '-Infinity')) return value;
  return Number(written);
}

function matchesAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}
