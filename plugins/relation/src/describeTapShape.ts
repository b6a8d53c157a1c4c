import type { SymbolicShape } from '@distillery/core';

/**
 * A tapped layer's static shape as error messages show it, `[B, 8, 8, 64]`: the batch dimension, which the
 * kernel leaves open (`null`), reads `B` and any other open size `?`, where `join` would print nothing.
 */
export function describeTapShape(shape: SymbolicShape): string {
  return `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
}
