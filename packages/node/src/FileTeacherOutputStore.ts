import { close, fstat, fsync, ftruncate, open, readSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DistilleryError } from '@distillery/core';
import { type TeacherOutputLayout, type TeacherOutputStore, teacherRowCodec } from '@distillery/core/internal';
import { writeFileAtomic } from './writeFileAtomic.js';

const openFile = promisify(open);
const closeFile = promisify(close);
const statFile = promisify(fstat);
const syncFile = promisify(fsync);
const truncateFile = promisify(ftruncate);

/** What `<key>.json` holds once every row of `<key>.bin` is durably written. */
interface Manifest extends TeacherOutputLayout {
  /** The data file's size. */
  readonly bytes: number;
  readonly complete: true;
}

/**
 * A teacher-output cache on disk, for caches too large for memory, in two files named after the layout's
 * key: `<key>.bin`, the entries one after another (entry e takes examples × rowBytes(e) bytes, row r of it
 * at r × rowBytes(e) within that region, in `teacherRowCodec`'s byte form), and `<key>.json`, the manifest
 * (the layout, the data's size, `complete: true`). A fill writes its own file,
 * `<key>.bin.<host>-<pid>-<n>.partial`, which `finish` flushes, renames to `<key>.bin` and then vouches for
 * with the manifest, written atomically: so a fill cut short leaves nothing that `find` would trust, and two
 * processes filling the same key at once (two studies sharing a `teacherCacheDir`) never write into each
 * other's file or into one a reader has open — the last rename wins, with the same values.
 *
 * `complete` says whether the store was reopened complete from disk (`find`); it stays false on a store
 * that `create` made, even after `finish` (the cache using it tracks that itself). A complete store is
 * read-only; a created one takes no writes after `finish`.
 */
export class FileTeacherOutputStore implements TeacherOutputStore {
  private fd: number | undefined;
  private finished = false;
  /** Bytes of one row of each entry. */
  private readonly rowBytes: number[];
  /** Where each entry's region starts in the data file. */
  private readonly offsets: number[];
  private scratch = new Uint8Array(0);

  private constructor(
    private readonly layout: TeacherOutputLayout,
    /** `<key>.bin`, where the rows are read from once complete. */
    readonly location: string,
    private readonly manifestPath: string,
    fd: number,
    readonly complete: boolean,
    /** The file a fill writes, renamed to `location` by `finish`; undefined for a complete store. */
    private readonly partialPath?: string,
  ) {
    this.fd = fd;
    this.rowBytes = FileTeacherOutputStore.rowBytesOf(layout);
    this.offsets = [];
    let offset = 0;
    for (const rowBytes of this.rowBytes) {
      this.offsets.push(offset);
      offset += rowBytes * layout.examples;
    }
  }

  /**
   * The complete store for `layout` in `directory`, or undefined unless its manifest is there, whole,
   * complete and describes exactly `layout`, and its data file has exactly the size that says. Creates
   * and deletes nothing.
   */
  static async find(directory: string, layout: TeacherOutputLayout): Promise<FileTeacherOutputStore | undefined> {
    const { data, manifest } = FileTeacherOutputStore.paths(directory, layout);
    const bytes = FileTeacherOutputStore.bytesOf(layout);
    let saved: unknown;
    try {
      saved = JSON.parse(await readFile(manifest, 'utf8'));
    } catch {
      return undefined;
    }
    if (!FileTeacherOutputStore.describes(saved, layout, bytes)) return undefined;
    let fd: number;
    try {
      fd = await openFile(data, 'r');
    } catch {
      return undefined;
    }
    try {
      const stats = await statFile(fd);
      if (stats.isFile() && stats.size === bytes) return new FileTeacherOutputStore(layout, data, manifest, fd, true);
    } catch {
      // Unreadable: not trusted, like a missing one.
    }
    await closeFile(fd).catch(() => undefined);
    return undefined;
  }

  /**
   * A new, empty store for `layout` in `directory` (created if missing): removes any manifest under the
   * key first, so that no earlier `finish` vouches for the data while it is rewritten, and the partial files
   * that dead processes of this host left under the key, then creates this fill's own file at its full size.
   */
  static async create(directory: string, layout: TeacherOutputLayout): Promise<FileTeacherOutputStore> {
    const { data, manifest } = FileTeacherOutputStore.paths(directory, layout);
    const bytes = FileTeacherOutputStore.bytesOf(layout);
    try {
      await mkdir(directory, { recursive: true });
    } catch (error) {
      throw failure('create directory', directory, error);
    }
    try {
      await rm(manifest, { force: true });
    } catch (error) {
      throw failure('remove', manifest, error);
    }
    await removeAbandonedFills(directory, layout.key);
    const partial = `${data}.${hostname()}-${process.pid}-${fillsStarted++}.partial`;
    let fd: number;
    try {
      fd = await openFile(partial, 'w+');
    } catch (error) {
      throw failure('create', partial, error);
    }
    try {
      await truncateFile(fd, bytes);
    } catch (error) {
      await closeFile(fd).catch(() => undefined);
      await rm(partial, { force: true }).catch(() => undefined);
      throw failure(`allocate ${bytes} bytes for`, partial, error);
    }
    return new FileTeacherOutputStore(layout, data, manifest, fd, false, partial);
  }

  write(entry: number, rows: Int32Array, values: Float32Array): void {
    if (this.complete) throw new Error(`teacher cache: ${this.location} is complete and read-only`);
    if (this.finished) throw new Error(`teacher cache: ${this.location} is finished; it takes no more rows`);
    const fd = this.descriptor();
    const rowBytes = this.entryRowBytes(entry);
    const bytes = teacherRowCodec.encode(values, this.layout.precision);
    if (bytes.byteLength !== rows.length * rowBytes) {
      throw new RangeError(
        `teacher cache: entry ${entry} takes ${rows.length} row(s) of ${rowBytes} bytes, got ${bytes.byteLength}`,
      );
    }
    this.forEachRun(entry, rows, (start, end, position) => {
      const run = bytes.subarray(start * rowBytes, end * rowBytes);
      try {
        for (let done = 0; done < run.byteLength; ) {
          done += writeSync(fd, run, done, run.byteLength - done, position + done);
        }
      } catch (error) {
        throw failure('write', this.partialPath ?? this.location, error);
      }
    });
  }

  read(entry: number, rows: Int32Array, out: Float32Array): void {
    const fd = this.descriptor();
    const rowBytes = this.entryRowBytes(entry);
    const rowValues = rowBytes / teacherRowCodec.bytesPerValue(this.layout.precision);
    if (out.length !== rows.length * rowValues) {
      throw new RangeError(
        `teacher cache: entry ${entry} reads ${rows.length} row(s) of ${rowValues} values, into ${out.length}`,
      );
    }
    this.forEachRun(entry, rows, (start, end, position) => {
      const length = (end - start) * rowBytes;
      if (this.scratch.byteLength < length) this.scratch = new Uint8Array(length);
      const run = this.scratch.subarray(0, length);
      let done = 0;
      try {
        while (done < length) {
          const read = readSync(fd, run, done, length - done, position + done);
          if (read === 0) break;
          done += read;
        }
      } catch (error) {
        throw failure('read', this.location, error);
      }
      if (done < length) {
        throw new DistilleryError(`teacher cache: cannot read ${this.location}: the file ends early (changed while in use?)`);
      }
      teacherRowCodec.decodeInto(run, this.layout.precision, out, start * rowValues);
    });
  }

  /** Flushes the data to disk, then writes the manifest that marks it complete for later runs. */
  async finish(): Promise<void> {
    if (this.complete || this.finished) return;
    const fd = this.descriptor();
    const partial = this.partialPath as string;
    try {
      await syncFile(fd);
    } catch (error) {
      throw failure('flush', partial, error);
    }
    try {
      await rename(partial, this.location);
    } catch (error) {
      throw failure(`rename ${partial} to`, this.location, error);
    }
    const { key, examples, entries, precision } = this.layout;
    const manifest: Manifest = {
      key,
      examples,
      entries: entries.map(({ name, shape }) => ({ name, shape: [...shape] })),
      precision,
      bytes: FileTeacherOutputStore.bytesOf(this.layout),
      complete: true,
    };
    try {
      await writeFileAtomic(this.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    } catch (error) {
      throw failure('write', this.manifestPath, error);
    }
    this.finished = true;
  }

  /** Closes the file; a fill that did not finish removes it, since nothing would ever trust it. */
  async close(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      await closeFile(fd);
    } catch (error) {
      throw failure('close', this.location, error);
    }
    if (this.partialPath !== undefined && !this.finished) await rm(this.partialPath, { force: true }).catch(() => undefined);
  }

  /**
   * Calls `run` for each stretch of consecutive rows (rows[start..end) = first, first + 1, …), with the
   * stretch's position in the data file, so that a sorted batch takes one system call per entry.
   */
  private forEachRun(entry: number, rows: Int32Array, run: (start: number, end: number, position: number) => void): void {
    const rowBytes = this.rowBytes[entry] as number;
    const offset = this.offsets[entry] as number;
    let start = 0;
    while (start < rows.length) {
      const first = rows[start] as number;
      let end = start + 1;
      while (end < rows.length && rows[end] === first + (end - start)) end++;
      const last = first + (end - start) - 1;
      if (first < 0 || last >= this.layout.examples) {
        throw new RangeError(`teacher cache: row ${first < 0 ? first : last} is outside 0..${this.layout.examples - 1}`);
      }
      run(start, end, offset + first * rowBytes);
      start = end;
    }
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error(`teacher cache: ${this.location} is closed`);
    return this.fd;
  }

  private entryRowBytes(entry: number): number {
    const rowBytes = this.rowBytes[entry];
    if (rowBytes === undefined) throw new RangeError(`teacher cache: no entry ${entry} (there are ${this.rowBytes.length})`);
    return rowBytes;
  }

  private static rowBytesOf(layout: TeacherOutputLayout): number[] {
    const bytesPerValue = teacherRowCodec.bytesPerValue(layout.precision);
    return layout.entries.map(({ shape }) => shape.reduce((size, dim) => size * dim, 1) * bytesPerValue);
  }

  private static bytesOf(layout: TeacherOutputLayout): number {
    return FileTeacherOutputStore.rowBytesOf(layout).reduce((total, rowBytes) => total + rowBytes * layout.examples, 0);
  }

  private static paths(directory: string, layout: TeacherOutputLayout): { data: string; manifest: string } {
    // The key names the files: a hex digest; anything else could point outside the directory.
    if (!/^[0-9A-Za-z_-]+$/.test(layout.key)) {
      throw new DistilleryError(`teacher cache: key '${layout.key}': expected a hex digest (it names the cache files)`);
    }
    return { data: join(directory, `${layout.key}.bin`), manifest: join(directory, `${layout.key}.json`) };
  }

  /** Whether `saved` is a complete manifest for exactly `layout`, with `bytes` of data. */
  private static describes(saved: unknown, layout: TeacherOutputLayout, bytes: number): boolean {
    if (typeof saved !== 'object' || saved === null) return false;
    const manifest = saved as Partial<Record<keyof Manifest, unknown>>;
    if (
      manifest.complete !== true ||
      manifest.key !== layout.key ||
      manifest.examples !== layout.examples ||
      manifest.precision !== layout.precision ||
      manifest.bytes !== bytes ||
      !Array.isArray(manifest.entries) ||
      manifest.entries.length !== layout.entries.length
    ) {
      return false;
    }
    return layout.entries.every((expected, e) => {
      const entry = (manifest.entries as unknown[])[e] as { name?: unknown; shape?: unknown } | null;
      if (typeof entry !== 'object' || entry === null || entry.name !== expected.name || !Array.isArray(entry.shape))
        return false;
      const shape = entry.shape as unknown[];
      return shape.length === expected.shape.length && expected.shape.every((dim, axis) => shape[axis] === dim);
    });
  }
}

/** Numbers this process's fills, so that two stores of one key in one process write different files. */
let fillsStarted = 0;

/**
 * Removes `<key>.bin.<host>-<pid>-<n>.partial` files of this host whose process is gone (a run killed while
 * filling). Another host's are left alone: its processes cannot be seen from here.
 */
async function removeAbandonedFills(directory: string, key: string): Promise<void> {
  const prefix = `${key}.bin.${hostname()}-`;
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.partial')) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && !processIsAlive(pid)) await rm(join(directory, name), { force: true }).catch(() => undefined);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One line naming the path and what failed: `teacher cache: cannot write /x/k.bin: no space left on device (ENOSPC)`. */
function failure(action: string, path: string, error: unknown): DistilleryError {
  const { code, message } = error as Partial<NodeJS.ErrnoException>;
  let reason = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string') {
    // Node words a system error `CODE: description, syscall 'path'`: keep the description.
    const prefix = `${code}: `;
    reason = `${reason.startsWith(prefix) ? (reason.slice(prefix.length).split(', ')[0] as string) : reason} (${code})`;
  }
  return new DistilleryError(`teacher cache: cannot ${action} ${path}: ${reason.replace(/\s+/g, ' ')}`);
}
