/** Options of a {@link CrdTeacherBranch}. */
export interface CrdTeacherBranchOptions {
  /** The strategy's key, for error messages. */
  readonly key: string;
  /** The teacher this branch contrasts the student with. */
  readonly teacher: string;
  /** The tapped student layer that the branch's student head embeds. */
  readonly studentLayer: string;
  /** The tapped layer of `teacher` that the branch's teacher head embeds. */
  readonly teacherLayer: string;
  /** D, the width of both embeddings and of the memory rows. */
  readonly featureDim: number;
  /** The experiment's seed. */
  readonly seed: number;
  /**
   * The branch's stream of initial weights, initial memory rows and negatives, under `contrastive.crd`'s; left out,
   * the branch starts and draws exactly as `contrastive.crd` with the same seed does.
   */
  readonly stream?: string;
  /** Names a variable `local` (`student/kernel`, `memory/teacher`) under the strategy's term and this teacher. */
  readonly variableName: (local: string) => string;
  /** Where the options live in the config (`strategies[1].options`), for the build errors. */
  readonly path: string;
}
