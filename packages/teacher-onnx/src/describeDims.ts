import { isFixedSize } from './isFixedSize.js';

/** `[B, 1, 28, 28]`: a free batch as B, another free size by its name, or ? where it has none. */
export function describeDims(dims: readonly (number | string)[]): string {
  const sizes = dims.map((size, i) =>
    isFixedSize(size) ? size : i === 0 ? 'B' : typeof size === 'string' && size !== '' ? size : '?',
  );
  return `[${sizes.join(', ')}]`;
}
