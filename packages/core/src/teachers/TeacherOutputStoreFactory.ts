import type { TeacherOutputLayout } from './TeacherOutputLayout.js';
import type { TeacherOutputStore } from './TeacherOutputStore.js';

/** DI token for persistent storage of teacher-output caches too large for memory (Node: files in the run directory). */
export const TeacherOutputStoreFactory = Symbol.for('@distillery/core/TeacherOutputStoreFactory');

export interface TeacherOutputStoreFactory {
  /** A complete store already holding `layout.key`, if there is one, without creating anything. */
  find(layout: TeacherOutputLayout): Promise<TeacherOutputStore | undefined>;
  /** A new, empty store for `layout`, replacing any incomplete or stale one. */
  create(layout: TeacherOutputLayout): Promise<TeacherOutputStore>;
}
