import type { SymbolicShape } from '@distillery/core';

/** A tapped shape as messages write it: `[B, 8, 8, 32]`, with `B` for the batch and `?` for a size left open. */
export function describeSymbolicShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
