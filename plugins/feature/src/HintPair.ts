/** One hint pair of a strategy: the student's guided layer `student` learns `teacherLayer` of the teacher `teacher`. */
export interface HintPair {
  readonly student: string;
  /** A teacher's name, as in the experiment. */
  readonly teacher: string;
  readonly teacherLayer: string;
}
