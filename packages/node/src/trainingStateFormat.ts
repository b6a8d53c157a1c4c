/**
 * The layout of a training-state checkpoint, shared by encodeTrainingState and decodeTrainingState:
 *   'DSTCKPT1' | uint32 LE header length | UTF-8 JSON header | zero padding to a multiple of 4 |
 *   tensor data (little-endian float32/int32) | 'DSTCKEND' | uint32 LE CRC-32 of everything before 'DSTCKEND'.
 * Non-finite numbers in the header are written as { "$nonFinite": "NaN" | "Infinity" | "-Infinity" }.
 */
export const trainingStateFormat = {
  magic: 'DSTCKPT1',
  endMagic: 'DSTCKEND',
  preambleBytes: 12,
  trailerBytes: 12,
  nonFiniteKey: '$nonFinite',
  alignTo4: (offset: number): number => Math.ceil(offset / 4) * 4,
} as const;
