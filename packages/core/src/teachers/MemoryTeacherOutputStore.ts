import type { TeacherOutputLayout } from './TeacherOutputLayout.js';
import type { TeacherOutputStore } from './TeacherOutputStore.js';
import { teacherRowCodec } from './teacherRowCodec.js';

/** A teacher-output cache in memory: one byte array per entry, gone with the process. */
export class MemoryTeacherOutputStore implements TeacherOutputStore {
  readonly complete = false;
  readonly location = 'memory';
  private readonly entries: Uint8Array[];
  private readonly rowBytes: number[];

  constructor(private readonly layout: TeacherOutputLayout) {
    const bytesPerValue = teacherRowCodec.bytesPerValue(layout.precision);
    this.rowBytes = layout.entries.map(({ shape }) => shape.reduce((size, dim) => size * dim, 1) * bytesPerValue);
    this.entries = this.rowBytes.map((rowBytes) => new Uint8Array(rowBytes * layout.examples));
  }

  /** Bytes a layout takes in memory. */
  static bytes(layout: TeacherOutputLayout): number {
    const bytesPerValue = teacherRowCodec.bytesPerValue(layout.precision);
    const rowValues = layout.entries.reduce((total, { shape }) => total + shape.reduce((size, dim) => size * dim, 1), 0);
    return rowValues * bytesPerValue * layout.examples;
  }

  write(entry: number, rows: Int32Array, values: Float32Array): void {
    const bytes = teacherRowCodec.encode(values, this.layout.precision);
    const rowBytes = this.rowBytes[entry] as number;
    const target = this.entries[entry] as Uint8Array;
    for (let k = 0; k < rows.length; k++) {
      target.set(bytes.subarray(k * rowBytes, (k + 1) * rowBytes), (rows[k] as number) * rowBytes);
    }
  }

  read(entry: number, rows: Int32Array, out: Float32Array): void {
    const rowBytes = this.rowBytes[entry] as number;
    const source = this.entries[entry] as Uint8Array;
    const rowValues = rowBytes / teacherRowCodec.bytesPerValue(this.layout.precision);
    for (let k = 0; k < rows.length; k++) {
      const start = (rows[k] as number) * rowBytes;
      teacherRowCodec.decodeInto(source.subarray(start, start + rowBytes), this.layout.precision, out, k * rowValues);
    }
  }

  async finish(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.length = 0;
  }
}
