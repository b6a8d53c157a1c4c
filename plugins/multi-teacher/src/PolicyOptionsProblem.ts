/**
 * What is wrong with a policy's options: `option` is the option's name (`weights`, or a key of
 * `policyOptions`); the caller turns it into the config path (`strategies[1].options.weights`).
 */
export interface PolicyOptionsProblem {
  readonly option: string;
  readonly message: string;
}
