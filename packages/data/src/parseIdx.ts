import { DistilleryError } from '@distillery/core';
import type { IdxArray } from './IdxArray.js';

export interface ParseIdxOptions {
  /** Names the bytes in error messages, e.g. the file path; 'IDX file' when left out. */
  readonly source?: string;
}

const types: Readonly<Record<number, { dtype: IdxArray['dtype']; bytes: number; name: string }>> = {
  8: { dtype: 'uint8', bytes: 1, name: 'unsigned byte' },
  9: { dtype: 'int8', bytes: 1, name: 'signed byte' },
  11: { dtype: 'int16', bytes: 2, name: 'short' },
  12: { dtype: 'int32', bytes: 4, name: 'int' },
  13: { dtype: 'float32', bytes: 4, name: 'float' },
  14: { dtype: 'float64', bytes: 8, name: 'double' },
};

const hex = (value: number, digits: number) => `0x${value.toString(16).padStart(digits, '0')}`;

/**
 * Reads an IDX file (LeCun's format for MNIST, http://yann.lecun.com/exdb/mnist/): a magic number
 * 0x00 0x00 <type code> <number of dimensions>, one big-endian int32 size per dimension, then the
 * values in row-major order, big-endian. Unsigned and signed bytes come back as views of `bytes`
 * (no copy, so they stay valid only as long as `bytes` is unchanged); wider types are converted to
 * this machine's byte order. Every malformation is a one-line DistilleryError naming `source`.
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const source = options.source ?? 'IDX file';
  const fail = (problem: string): never => {
    throw new DistilleryError(`${source}: ${problem}`);
  };
  if (bytes.length < 4) fail(`expected at least 4 bytes of header (magic number), found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `bad magic number ${hex(view.getUint32(0), 8)}: an IDX file starts with two zero bytes, a type code and a dimension count`,
    );
  }
  const typeCode = bytes[2] as number;
  const type = types[typeCode];
  if (type === undefined) {
    const known = Object.entries(types).map(([code, { name }]) => `${hex(Number(code), 2)} ${name}`);
    return fail(`unknown data type code ${hex(typeCode, 2)} (known: ${known.join(', ')})`);
  }
  const rank = bytes[3] as number;
  if (rank === 0) fail('the header declares 0 dimensions');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    fail(`the header declares ${rank} dimensions and so ${headerLength} bytes, but the file has ${bytes.length}`);
  }
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = view.getInt32(4 + 4 * axis);
    if (size < 0) fail(`dimension ${axis} has negative size ${size}`);
    shape.push(size);
  }
  const count = shape.reduce((product, size) => product * size, 1);
  const dataLength = bytes.length - headerLength;
  if (dataLength !== count * type.bytes) {
    const values = type.bytes === 1 ? '' : ` ${type.dtype} values = ${count * type.bytes}`;
    const product = rank === 1 ? `${count}` : `${shape.join('×')} = ${count}`;
    fail(`header says ${product}${values} bytes of data, found ${dataLength}`);
  }
  const start = bytes.byteOffset + headerLength;
  switch (type.dtype) {
    case 'uint8':
      return { dtype: 'uint8', shape, data: bytes.subarray(headerLength) };
    case 'int8':
      return { dtype: 'int8', shape, data: new Int8Array(bytes.buffer, start, count) };
    case 'int16': {
      const data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(headerLength + 2 * i);
      return { dtype: 'int16', shape, data };
    }
    case 'int32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(headerLength + 4 * i);
      return { dtype: 'int32', shape, data };
    }
    case 'float32': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(headerLength + 4 * i);
      return { dtype: 'float32', shape, data };
    }
    case 'float64': {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(headerLength + 8 * i);
      return { dtype: 'float64', shape, data };
    }
  }
}
