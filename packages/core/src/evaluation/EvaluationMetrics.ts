/** How the student does on a held-out dataset. */
export interface EvaluationMetrics {
  /** Mean cross-entropy on the hard labels. */
  readonly loss: number;
  /** Fraction of examples whose arg-max class is the label. */
  readonly accuracy: number;
  /** Per teacher: fraction of examples where the student's arg-max class equals the teacher's. */
  readonly agreement: Readonly<Record<string, number>>;
  /** Each peer's cross-entropy and accuracy (online distillation), by peer name; absent without peers. */
  readonly peers?: Readonly<Record<string, { readonly loss: number; readonly accuracy: number }>>;
}
