import type { StateTensor, TrainingState } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { decodeTrainingState } from './decodeTrainingState.js';
import { encodeTrainingState } from './encodeTrainingState.js';

function float32(shape: number[], values: number[]): StateTensor {
  return { shape, dtype: 'float32', values: Float32Array.from(values) };
}

function int32(shape: number[], values: number[]): StateTensor {
  return { shape, dtype: 'int32', values: Int32Array.from(values) };
}

function state(teacherCacheKey: string | null): TrainingState {
  return {
    version: 1,
    epoch: 3,
    batch: 17,
    globalStep: 1234,
    history: [
      { epoch: 0, loss: 0.75, losses: { 'task.ce': 0.5, 'kd.kl': 0.25 }, learningRate: 0.001, seconds: 1.5 },
      {
        epoch: 1,
        loss: 0.5,
        losses: { 'task.ce': 0.375 },
        learningRate: 0.0005,
        seconds: 2,
        validation: { loss: 0.4, accuracy: 0.875, agreement: { teacher: 0.9 } },
        teacherCache: { hits: 10, misses: 2 },
      },
    ],
    epochSums: [1.25, -0.5, 3e-8],
    teacherCacheKey,
    studentWeights: [
      float32([2, 3], [0.1, -0.2, 0.3, 1e-30, -3.4e38, 0]),
      float32([], [42.5]),
      float32([0, 3], []),
      int32([4], [0, -1, 2147483647, -2147483648]),
    ],
    strategyWeights: [float32([1, 1, 2], [7, -7])],
    strategyState: [float32([3, 2], [0.5, -0.5, 1, 2, 3, 4]), float32([], [-1])],
    peerWeights: [[float32([2], [1.5, -2.5])], []],
    optimizer: [
      { name: 'iter', tensor: int32([], [99]) },
      { name: '#0/m', tensor: float32([2, 3], [1, 2, 3, 4, 5, 6]) },
      { name: '#1/v', tensor: float32([], [0.25]) },
    ],
    layerDraws: { dropout_1: 12, noise: 0 },
  };
}

/** The state with each tensor's values as a plain array, so that equality compares values and not array kinds. */
function plain(value: TrainingState) {
  const tensor = ({ shape, dtype, values }: StateTensor) => ({ shape, dtype, values: Array.from(values) });
  return {
    ...value,
    studentWeights: value.studentWeights.map(tensor),
    strategyWeights: value.strategyWeights.map(tensor),
    strategyState: (value.strategyState ?? []).map(tensor),
    peerWeights: (value.peerWeights ?? []).map((weights) => weights.map(tensor)),
    optimizer: value.optimizer.map(({ name, tensor: t }) => ({ name, tensor: tensor(t) })),
  };
}

describe('encodeTrainingState', () => {
  it('writes a state that decodes to the same state and fingerprint', () => {
    for (const key of [null, 'a1b2c3']) {
      const original = state(key);
      const decoded = decodeTrainingState(encodeTrainingState(original, 'fingerprint-1'), '/runs/x/state.ckpt');
      expect(decoded.fingerprint).toBe('fingerprint-1');
      expect(plain(decoded.state)).toEqual(plain(original));
      expect(decoded.state.teacherCacheKey).toBe(key);
    }
  });

  it('reads a checkpoint written before strategies had state as one without state', () => {
    const { strategyState: _, peerWeights: __, ...older } = state(null);
    const decoded = decodeTrainingState(encodeTrainingState(older, 'f'), '/x/state.ckpt');
    expect(decoded.state.strategyState).toEqual([]);
    expect(decoded.state.peerWeights).toBeUndefined();
  });

  it('gives back float32 tensors as Float32Array and int32 tensors as Int32Array, of the same shape', () => {
    const { state: decoded } = decodeTrainingState(encodeTrainingState(state(null), 'f'), '/x/state.ckpt');
    expect(decoded.studentWeights.map(({ values }) => values.constructor)).toEqual([
      Float32Array,
      Float32Array,
      Float32Array,
      Int32Array,
    ]);
    expect(decoded.studentWeights.map(({ shape }) => shape)).toEqual([[2, 3], [], [0, 3], [4]]);
    expect(decoded.optimizer[0]?.tensor.values).toBeInstanceOf(Int32Array);
  });

  it('keeps NaN and infinite losses and tensor values, which JSON alone would turn into null', () => {
    const original: TrainingState = {
      ...state(null),
      epochSums: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      history: [{ epoch: 0, loss: Number.NaN, losses: { 'task.ce': Number.POSITIVE_INFINITY }, learningRate: 0.1, seconds: 1 }],
      studentWeights: [float32([3], [Number.NaN, Number.NEGATIVE_INFINITY, 1])],
    };
    const { state: decoded } = decodeTrainingState(encodeTrainingState(original, 'f'), '/x/state.ckpt');
    expect(decoded.epochSums).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(decoded.history[0]?.loss).toBeNaN();
    expect(decoded.history[0]?.losses['task.ce']).toBe(Number.POSITIVE_INFINITY);
    expect(Array.from(decoded.studentWeights[0]?.values ?? [])).toEqual([Number.NaN, Number.NEGATIVE_INFINITY, 1]);
  });

  it('lays the file out as magic, header length, header, padding, data, end marker and checksum', () => {
    const bytes = encodeTrainingState(state(null), 'f');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
    expect(ascii(0, 8)).toBe('DSTCKPT1');
    const headerBytes = view.getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerBytes)));
    const dataStart = Math.ceil((12 + headerBytes) / 4) * 4;
    expect(header.fingerprint).toBe('f');
    // 6 + 1 + 0 + 4 student values, 2 strategy values, 2 peer values, 6 + 1 strategy-state values, 1 + 6 + 1 optimizer
    // values, 4 bytes each.
    expect(header.dataBytes).toBe(30 * 4);
    expect(bytes.byteLength).toBe(dataStart + header.dataBytes + 12);
    expect(ascii(bytes.byteLength - 12, bytes.byteLength - 4)).toBe('DSTCKEND');
    expect(header.state.studentWeights[3]).toEqual({ shape: [4], dtype: 'int32', offset: 7 * 4, bytes: 16 });
    expect(view.getInt32(dataStart + 7 * 4 + 8, true)).toBe(2147483647);
    expect(view.getFloat32(dataStart + 6 * 4, true)).toBe(42.5);
  });

  it('refuses a tensor whose values do not fit its shape or dtype, before writing anything', () => {
    const wrongSize = { ...state(null), studentWeights: [float32([2, 2], [1, 2, 3])] };
    expect(() => encodeTrainingState(wrongSize, 'f')).toThrow('training state: studentWeights[0] has 3 values for shape [2, 2]');
    const wrongKind: TrainingState = {
      ...state(null),
      optimizer: [{ name: 'iter', tensor: { shape: [1], dtype: 'int32', values: Float32Array.from([1]) } }],
    };
    expect(() => encodeTrainingState(wrongKind, 'f')).toThrow(
      "training state: optimizer[0] (iter) has dtype 'int32' but holds a Float32Array",
    );
  });
});
