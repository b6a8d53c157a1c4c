import { createHash } from 'node:crypto';
import { DistilleryError } from '@distillery/core';
import type { ImageFile } from './scanImageFolder.js';

/**
 * Chooses the test images of a folder without a train/test split: in each class, the
 * round(fraction × n) images whose relative paths have the smallest SHA-256 (at most n − 1, so
 * every class keeps a training image). Stratified by class, and a function of the file names alone:
 * the same folder always splits the same way, and adding an image moves no other image across.
 * Returns 1 for each test image of `files`, 0 for each training image.
 */
export function testImagesByFraction(files: readonly ImageFile[], fraction: number, root: string): Uint8Array {
  if (!(fraction > 0 && fraction < 1)) {
    throw new DistilleryError(`split.test: expected a fraction in (0, 1), got ${fraction}`, 'split.test');
  }
  const byClass = new Map<number, { index: number; rank: string }[]>();
  files.forEach((file, index) => {
    const members = byClass.get(file.label) ?? [];
    members.push({ index, rank: createHash('sha256').update(file.relativePath).digest('hex') });
    byClass.set(file.label, members);
  });
  const isTest = new Uint8Array(files.length);
  let tests = 0;
  for (const members of byClass.values()) {
    members.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    const count = Math.min(Math.round(fraction * members.length), members.length - 1);
    for (let k = 0; k < count; k++) isTest[(members[k] as { index: number }).index] = 1;
    tests += count;
  }
  if (tests === 0) {
    throw new DistilleryError(
      `split.test: a fraction of ${fraction} of ${files.length} images in ${root} leaves no test images`,
      'split.test',
    );
  }
  return isTest;
}
