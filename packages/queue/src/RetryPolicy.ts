/** How often a crashed job is tried again, after how long: the delay doubles after each failure. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffSeconds: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, backoffSeconds: 10 };
