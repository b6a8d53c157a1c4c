/**
 * What a teacher-output cache holds: for every example of a dataset, one row per entry (a teacher's
 * logits, or one of its tapped features), stored at a precision, under a key that changes whenever any of
 * it would (dataset, teachers' weights and architecture, taps, precision).
 */
export interface TeacherOutputLayout {
  /** Hex SHA-256 of everything the cached values depend on. */
  readonly key: string;
  /** Rows per entry: the dataset's size. */
  readonly examples: number;
  /** Each entry's row shape (the output's shape without the batch axis), named `<teacher>/logits` or `<teacher>/<layer>`. */
  readonly entries: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly precision: 'float32' | 'float16';
}
