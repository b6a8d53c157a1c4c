/** A student layer compared with a teacher layer by a relation method. */
export interface RelationPair {
  readonly student: string;
  readonly teacher: string;
}
