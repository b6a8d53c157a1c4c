/** A static output shape; the batch dimension is `null`. */
export type SymbolicShape = readonly (number | null)[];

/** Shapes of every tapped output, known before the first batch so strategies can build adapters. */
export interface TapShapes {
  readonly student: Readonly<Record<string, SymbolicShape>>;
  readonly teachers: Readonly<Record<string, Readonly<Record<string, SymbolicShape>>>>;
  readonly numClasses: number;
}
