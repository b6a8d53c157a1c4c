import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIdx } from './parseIdx.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An IDX file by hand: 0x00 0x00 <type> <rank>, big-endian int32 sizes, then the payload bytes. */
function idxBytes(typeCode: number, shape: readonly number[], payload: readonly number[]): Uint8Array {
  const header = [0, 0, typeCode, shape.length];
  for (const size of shape) header.push((size >>> 24) & 0xff, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff);
  return Uint8Array.from([...header, ...payload]);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseIdx', () => {
  it('reads the header and unsigned bytes in row-major order', () => {
    const parsed = parseIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 250, 251, 255]));
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 250, 251, 255]);
  });

  it('returns unsigned bytes as a view of the input, without copying', () => {
    const bytes = idxBytes(0x08, [3], [7, 8, 9]);
    const parsed = parseIdx(bytes);
    expect(parsed.data).toBeInstanceOf(Uint8Array);
    expect(parsed.data.buffer).toBe(bytes.buffer);
    // Header: 4 bytes of magic number + one 4-byte size = 12 bytes before the data.
    expect(parsed.data.byteOffset).toBe(8);
    bytes[8] = 42;
    expect(parsed.data[0]).toBe(42);
  });

  it('reads a file that starts in the middle of a larger buffer, as Node Buffers often do', () => {
    const file = idxBytes(0x08, [2, 2], [10, 20, 30, 40]);
    const pool = new Uint8Array(100);
    pool.set(file, 37);
    const parsed = parseIdx(pool.subarray(37, 37 + file.length));
    expect(parsed.shape).toEqual([2, 2]);
    expect(Array.from(parsed.data)).toEqual([10, 20, 30, 40]);
  });

  it('reads sizes as big-endian int32', () => {
    // 0x00 0x00 0x01 0x02 = 1·256 + 2 = 258
    const parsed = parseIdx(idxBytes(0x08, [258], new Array(258).fill(1)));
    expect(parsed.shape).toEqual([258]);
    expect(parsed.data.length).toBe(258);
  });

  it('reads signed bytes as two’s complement, without copying', () => {
    const bytes = idxBytes(0x09, [3], [0x7f, 0x80, 0xff]);
    const parsed = parseIdx(bytes);
    expect(parsed.dtype).toBe('int8');
    expect(Array.from(parsed.data)).toEqual([127, -128, -1]);
    expect(parsed.data.buffer).toBe(bytes.buffer);
  });

  it('reads big-endian shorts and ints', () => {
    // 0x0102 = 258, 0xfffe = −2
    const shorts = parseIdx(idxBytes(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]));
    expect(shorts.dtype).toBe('int16');
    expect(Array.from(shorts.data)).toEqual([258, -2]);
    // 0x00010000 = 65536, 0xffffffff = −1
    const ints = parseIdx(idxBytes(0x0c, [2, 1], [0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]));
    expect(ints.dtype).toBe('int32');
    expect(ints.shape).toEqual([2, 1]);
    expect(Array.from(ints.data)).toEqual([65536, -1]);
  });

  it('reads big-endian IEEE floats and doubles', () => {
    // 0x3f800000 = 1; 0xc0000000 = −2; 0x3e200000 = 2^(124−127) · 1.25 = 0.15625
    const floats = parseIdx(idxBytes(0x0d, [3], [0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0, 0x3e, 0x20, 0, 0]));
    expect(floats.dtype).toBe('float32');
    expect(Array.from(floats.data)).toEqual([1, -2, 0.15625]);
    // 0x3ff0000000000000 = 1; 0x400921fb54442d18 = π as a double
    const doubles = parseIdx(idxBytes(0x0e, [2], [0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]));
    expect(doubles.dtype).toBe('float64');
    expect(Array.from(doubles.data)).toEqual([1, Math.PI]);
  });
});

describe('parseIdx refuses a malformed file with one line', () => {
  it('when the file is shorter than the magic number', () => {
    const error = errorOf(() => parseIdx(Uint8Array.from([0, 0])));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('IDX file: expected at least 4 bytes of header (magic number), found 2');
  });

  it('when the magic number does not start with two zero bytes', () => {
    const bytes = idxBytes(0x08, [1], [5]);
    bytes[0] = 0x1f;
    bytes[1] = 0x8b; // a gzip header: the .gz file was not unpacked
    expect(errorOf(() => parseIdx(bytes)).message).toBe(
      'IDX file: bad magic number 0x1f8b0801: an IDX file starts with two zero bytes, a type code and a dimension count',
    );
  });

  it('when the type code is unknown', () => {
    expect(errorOf(() => parseIdx(idxBytes(0x0a, [1], [0]))).message).toBe(
      'IDX file: unknown data type code 0x0a (known: 0x08 unsigned byte, 0x09 signed byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double)',
    );
  });

  it('when the header declares no dimension', () => {
    expect(errorOf(() => parseIdx(Uint8Array.from([0, 0, 8, 0, 1]))).message).toBe('IDX file: the header declares 0 dimensions');
  });

  it('when the sizes are cut short', () => {
    // 3 dimensions need 4 + 3·4 = 16 bytes of header; 10 are there.
    const bytes = idxBytes(0x08, [1, 1, 1], []).subarray(0, 10);
    expect(errorOf(() => parseIdx(bytes)).message).toBe(
      'IDX file: the header declares 3 dimensions and so 16 bytes, but the file has 10',
    );
  });

  it('when a size is negative', () => {
    expect(errorOf(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0xff, 0xff, 0xff, 0xfe]))).message).toBe(
      'IDX file: dimension 0 has negative size -2',
    );
  });

  it('when the data is truncated, giving the sizes and both byte counts', () => {
    const bytes = idxBytes(0x08, [60000, 28, 28], new Array(1000).fill(0));
    expect(errorOf(() => parseIdx(bytes)).message).toBe('IDX file: header says 60000×28×28 = 47040000 bytes of data, found 1000');
  });

  it('when wider values are truncated, counting values and bytes', () => {
    // 2·3 = 6 ints of 4 bytes = 24 bytes
    expect(errorOf(() => parseIdx(idxBytes(0x0c, [2, 3], new Array(10).fill(0)))).message).toBe(
      'IDX file: header says 2×3 = 6 int32 values = 24 bytes of data, found 10',
    );
  });

  it('when bytes follow the data', () => {
    expect(errorOf(() => parseIdx(idxBytes(0x08, [3], [1, 2, 3, 4]))).message).toBe(
      'IDX file: header says 3 bytes of data, found 4',
    );
  });

  it('naming the source it is given', () => {
    const bytes = idxBytes(0x08, [4], [1]);
    expect(errorOf(() => parseIdx(bytes, { source: 'IDX file /data/t10k-labels-idx1-ubyte' })).message).toBe(
      'IDX file /data/t10k-labels-idx1-ubyte: header says 4 bytes of data, found 1',
    );
  });
});
