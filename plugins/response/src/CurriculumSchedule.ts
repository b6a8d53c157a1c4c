/** CTKD's λ schedule (see {@link curriculumLambda}): λ ramps from `lambdaMin` to `lambdaMax` over `epochs` epochs. */
export interface CurriculumSchedule {
  readonly lambdaMin: number;
  readonly lambdaMax: number;
  readonly epochs: number;
}
