/** One layer pair of `multi.hint` / `multi.attention`: the student's layer `student` learns from `teacherLayer` of `teacher`. */
export interface TeacherLayerPair {
  /** A teacher's name, as in the experiment. */
  readonly teacher: string;
  /** A layer of the student. */
  readonly student: string;
  /** A layer of that teacher. */
  readonly teacherLayer: string;
}
