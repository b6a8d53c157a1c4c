import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirectory } from './dataDirectory.js';

describe('dataDirectory', () => {
  it('takes the folder given first, then DISTILLERY_DATA, then the per-user cache', () => {
    const env = { DISTILLERY_DATA: '/data/sets', XDG_CACHE_HOME: '/home/me/.cache-elsewhere' };
    expect(dataDirectory('relative/data', env)).toBe(resolve('relative/data'));
    expect(dataDirectory(undefined, env)).toBe('/data/sets');
    expect(dataDirectory(undefined, { XDG_CACHE_HOME: '/home/me/.cache-elsewhere' })).toBe(
      '/home/me/.cache-elsewhere/distillery',
    );
    expect(dataDirectory(undefined, {})).toBe(join(homedir(), '.cache', 'distillery'));
  });

  it('treats empty variables as unset', () => {
    expect(dataDirectory(undefined, { DISTILLERY_DATA: '', XDG_CACHE_HOME: '' })).toBe(join(homedir(), '.cache', 'distillery'));
  });
});
