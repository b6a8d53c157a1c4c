import type { TeacherOutputStoreFactory } from '@distillery/core/internal';
import { FileTeacherOutputStore } from './FileTeacherOutputStore.js';

/**
 * Teacher-output caches kept on disk in `directory` (created when the first one is), one pair of files per
 * key: `<key>.bin` with the rows and `<key>.json`, the manifest written once they are all on disk. `find`
 * trusts only a complete manifest for exactly the asked layout over a data file of the right size.
 */
export function fileTeacherOutputStores(directory: string): TeacherOutputStoreFactory {
  return {
    find: (layout) => FileTeacherOutputStore.find(directory, layout),
    create: (layout) => FileTeacherOutputStore.create(directory, layout),
  };
}
