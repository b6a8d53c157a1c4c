/** One stage of `feature.review`: the student's stage output `student` is reviewed against `teacherLayer` of `teacher`. */
export interface ReviewPair {
  readonly student: string;
  /** A teacher's name, as in the experiment. */
  readonly teacher: string;
  readonly teacherLayer: string;
}
