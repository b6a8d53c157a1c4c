/** How a teacher-output cache served an epoch, in batches: read from the cache, or computed and stored. */
export interface TeacherCacheStats {
  hits: number;
  misses: number;
}
