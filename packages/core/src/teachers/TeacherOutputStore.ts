/**
 * Where a teacher-output cache keeps its rows. Rows are written during the first epoch (or a fill pass)
 * and read back in later ones; `finish` marks the store complete, which a store that outlives the
 * process (on disk) must do only after every row is durably written, so that a run killed while
 * filling leaves nothing a later run would trust.
 */
export interface TeacherOutputStore {
  /** Every row was written by an earlier fill under the same key (a store reopened from disk). */
  readonly complete: boolean;
  /** Where the rows live, for the log line: 'memory', or a path. */
  readonly location: string;
  /** Stores `values` (rows.length × the entry's row size) as the rows at `rows`. */
  write(entry: number, rows: Int32Array, values: Float32Array): void;
  /** Reads the rows at `rows` into `out` (rows.length × the entry's row size). */
  read(entry: number, rows: Int32Array, out: Float32Array): void;
  /** Marks every row written: from now on (and for later runs, where the store persists) it is complete. */
  finish(): Promise<void>;
  /** Releases the store (file handles, memory). */
  close(): Promise<void>;
}
