import { crc32 } from 'node:zlib';
import { DistilleryError, type TrainingState } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { decodeTrainingState } from './decodeTrainingState.js';
import { encodeTrainingState } from './encodeTrainingState.js';

const path = '/runs/r1/checkpoints/student/state.ckpt';

const state: TrainingState = {
  version: 1,
  epoch: 2,
  batch: 5,
  globalStep: 205,
  history: [{ epoch: 0, loss: 0.5, losses: { 'task.ce': 0.5 }, learningRate: 0.01, seconds: 3 }],
  epochSums: [2.5, 1],
  teacherCacheKey: 'cafe',
  studentWeights: [
    { shape: [3, 4], dtype: 'float32', values: Float32Array.from({ length: 12 }, (_, i) => i / 8) },
    { shape: [2], dtype: 'int32', values: Int32Array.from([7, -7]) },
  ],
  strategyWeights: [],
  optimizer: [{ name: 'iter', tensor: { shape: [], dtype: 'int32', values: Int32Array.from([205]) } }],
  layerDraws: { dropout: 3 },
};

const bytes = encodeTrainingState(state, 'fp');
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const headerBytes = view.getUint32(8, true);
const dataStart = Math.ceil((12 + headerBytes) / 4) * 4;

/** The error decoding `data` throws, checked to be a one-line DistilleryError that names the path. */
function failure(data: Uint8Array): string {
  let thrown: unknown;
  try {
    decodeTrainingState(data, path);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DistilleryError);
  const { message } = thrown as DistilleryError;
  expect(message).not.toContain('\n');
  expect(message.startsWith(`checkpoint ${path} `)).toBe(true);
  expect(message.endsWith('; delete it to restart the stage')).toBe(true);
  return message;
}

/** The checkpoint with its header edited and its checksum made right again: only the structure checks can object. */
function withHeader(edit: (header: Record<string, unknown>) => void): Uint8Array {
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerBytes)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.byteLength) / 4) * 4;
  const data = bytes.subarray(dataStart, bytes.byteLength - 12);
  const out = new Uint8Array(start + data.byteLength + 12);
  const outView = new DataView(out.buffer);
  out.set(bytes.subarray(0, 8));
  outView.setUint32(8, json.byteLength, true);
  out.set(json, 12);
  out.set(data, start);
  out.set(new TextEncoder().encode('DSTCKEND'), start + data.byteLength);
  outView.setUint32(out.byteLength - 4, crc32(out.subarray(0, start + data.byteLength)), true);
  return out;
}

describe('decodeTrainingState', () => {
  it('gives back aligned copies of the values even when the bytes start at an odd offset', () => {
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    const { state: decoded, fingerprint } = decodeTrainingState(shifted.subarray(1), path);
    expect(fingerprint).toBe('fp');
    for (const { values } of [...decoded.studentWeights, ...decoded.optimizer.map(({ tensor }) => tensor)]) {
      expect(values.byteOffset).toBe(0);
      expect(values.buffer).not.toBe(shifted.buffer);
    }
    expect(Array.from(decoded.studentWeights[0]?.values ?? [])).toEqual(Array.from(state.studentWeights[0]?.values ?? []));
    shifted.fill(0);
    expect(decoded.studentWeights[1]?.values).toEqual(Int32Array.from([7, -7]));
  });

  describe('says a file cut short is truncated', () => {
    it('when it ends inside the magic or the header', () => {
      expect(failure(bytes.subarray(0, 0))).toBe(
        `checkpoint ${path} is truncated (expected at least 24 bytes, found 0); delete it to restart the stage`,
      );
      expect(failure(bytes.subarray(0, 5))).toContain('is truncated (expected at least 24 bytes, found 5)');
      expect(failure(bytes.subarray(0, 20))).toContain('is truncated (expected at least 24 bytes, found 20)');
      expect(failure(bytes.subarray(0, 12 + Math.floor(headerBytes / 2)))).toContain(
        `is truncated (expected at least ${dataStart + 12} bytes, found ${12 + Math.floor(headerBytes / 2)})`,
      );
    });

    it('when it ends inside the data, the end marker or the checksum, with the size it should have', () => {
      for (const length of [dataStart, dataStart + 6, bytes.byteLength - 12, bytes.byteLength - 7, bytes.byteLength - 1]) {
        expect(failure(bytes.subarray(0, length))).toBe(
          `checkpoint ${path} is truncated (expected ${bytes.byteLength} bytes, found ${length}); delete it to restart the stage`,
        );
      }
    });
  });

  describe('says a damaged file is corrupt', () => {
    it('when one byte of the data, the header or the checksum is changed', () => {
      for (const offset of [dataStart + 9, 12 + 3, bytes.byteLength - 2]) {
        const damaged = bytes.slice();
        damaged[offset] = (damaged[offset] as number) ^ 0x10;
        expect(failure(damaged)).toBe(`checkpoint ${path} is corrupt (checksum mismatch); delete it to restart the stage`);
      }
    });

    it('when bytes follow the end', () => {
      const longer = new Uint8Array(bytes.byteLength + 5);
      longer.set(bytes);
      expect(failure(longer)).toContain(`is corrupt (no end marker where the header puts it, at byte ${bytes.byteLength - 12})`);
    });

    it('when a whole file holds a header that is not JSON', () => {
      const damaged = bytes.slice();
      damaged[12] = 0x7b ^ 0x01;
      // Damage that the checksum would catch; made past it to reach the parser.
      const body = damaged.subarray(0, damaged.byteLength - 12);
      new DataView(damaged.buffer).setUint32(damaged.byteLength - 4, crc32(body), true);
      expect(failure(damaged)).toContain('is corrupt (the header is not valid JSON)');
    });

    it('when the header does not describe a training state', () => {
      const cases: [(header: Record<string, unknown>) => void, string][] = [
        [(h) => Object.assign(h, { fingerprint: 3 }), 'fingerprint is not a string'],
        [(h) => Object.assign(h.state as object, { version: 2 }), 'state version 2, expected 1'],
        [(h) => Object.assign(h.state as object, { epoch: -1 }), 'epoch is not a non-negative integer'],
        [(h) => Object.assign(h.state as object, { history: {} }), 'history is not an array'],
        [(h) => Object.assign(h.state as object, { history: [{ epoch: 0 }] }), 'history[0].loss is not a number'],
        [(h) => Object.assign(h.state as object, { epochSums: ['1'] }), 'epochSums[0] is not a number'],
        [(h) => Object.assign(h.state as object, { teacherCacheKey: 5 }), 'teacherCacheKey is not a string'],
        [(h) => Object.assign(h.state as object, { layerDraws: { a: 'x' } }), 'layerDraws.a is not a number'],
        [(h) => tensorOf(h, 0, { dtype: 'float64' }), 'studentWeights[0]: unknown dtype "float64"'],
        [(h) => tensorOf(h, 0, { shape: [3, 5] }), 'studentWeights[0]: 48 bytes for shape [3, 5] of float32, expected 60'],
        [(h) => tensorOf(h, 1, { offset: 56 }), 'studentWeights[1]: bytes 56..64 lie outside the 60-byte data section'],
        [(h) => tensorOf(h, 1, { shape: [-2] }), 'studentWeights[1].shape[0] is not a non-negative integer'],
        [(h) => Object.assign(h.state as object, { optimizer: [{ name: 'iter' }] }), 'optimizer[0].tensor is not an object'],
      ];
      for (const [edit, problem] of cases) {
        expect(failure(withHeader(edit))).toBe(`checkpoint ${path} is corrupt (${problem}); delete it to restart the stage`);
      }
    });

    it('when the header gives a data size the file does not have', () => {
      expect(failure(withHeader((h) => Object.assign(h, { dataBytes: 56 })))).toContain(
        `is corrupt (the header describes ${bytes.byteLength - 4} bytes, the file has ${bytes.byteLength})`,
      );
    });
  });

  it('says a file of other content is not a Distillery checkpoint', () => {
    for (const other of ['{"format":"layers-model"}', 'DSTCKPT2 from the future', 'x']) {
      expect(failure(new TextEncoder().encode(other))).toBe(
        `checkpoint ${path} is not a Distillery checkpoint (it does not start with 'DSTCKPT1'); delete it to restart the stage`,
      );
    }
  });
});

function tensorOf(header: Record<string, unknown>, index: number, change: object): void {
  const weights = (header.state as { studentWeights: object[] }).studentWeights;
  Object.assign(weights[index] as object, change);
}
