import { getFloat16, setFloat16 } from '@petamoriken/float16';

type Precision = 'float32' | 'float16';

/**
 * The byte form of cached teacher outputs: float32 in the platform's byte order (little-endian on every
 * platform tfjs runs on) or IEEE half precision, little-endian. Rows are fixed-size, so row r of an entry
 * sits at r × rowBytes.
 */
export const teacherRowCodec = {
  bytesPerValue(precision: Precision): number {
    return precision === 'float16' ? 2 : 4;
  },

  /** The bytes of `values`; for float32 a view of the same memory, not a copy. */
  encode(values: Float32Array, precision: Precision): Uint8Array {
    if (precision === 'float32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const bytes = new Uint8Array(values.length * 2);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) setFloat16(view, i * 2, values[i] as number, true);
    return bytes;
  },

  /** Decodes `bytes` into `out` from `offset` on. */
  decodeInto(bytes: Uint8Array, precision: Precision, out: Float32Array, offset: number): void {
    if (precision === 'float32') {
      if (bytes.byteOffset % 4 === 0) {
        out.set(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), offset);
      } else {
        new Uint8Array(out.buffer, out.byteOffset + offset * 4, bytes.byteLength).set(bytes);
      }
      return;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = bytes.byteLength / 2;
    for (let i = 0; i < count; i++) out[offset + i] = getFloat16(view, i * 2, true);
  },
};
