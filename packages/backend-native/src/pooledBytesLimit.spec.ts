import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pooledBytesLimit } from './pooledBytesLimit.js';

describe('the native backend’s pool of freed buffers', () => {
  it('holds a third of the machine’s memory by default, at most 16 GiB', () => {
    expect(pooledBytesLimit({})).toBe(Math.min(16 * 2 ** 30, Math.floor(totalmem() / 3)));
  });

  it('holds what DISTILLERY_NATIVE_POOL_MB says, and refuses what is not a size', () => {
    expect(pooledBytesLimit({ DISTILLERY_NATIVE_POOL_MB: '512' })).toBe(512 * 2 ** 20);
    expect(pooledBytesLimit({ DISTILLERY_NATIVE_POOL_MB: '0' })).toBe(0);
    expect(() => pooledBytesLimit({ DISTILLERY_NATIVE_POOL_MB: 'lots' })).toThrow(
      "DISTILLERY_NATIVE_POOL_MB: expected a number of MiB ≥ 0, got 'lots'",
    );
  });
});
