/** Where a policy option stands in a strategy's options: `weights` at the top, anything else in `policyOptions`. */
export function policyOptionField(option: string): string {
  return option === 'weights' ? 'weights' : `policyOptions.${option}`;
}
