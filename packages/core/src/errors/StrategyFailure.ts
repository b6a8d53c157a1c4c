/**
 * A strategy's own code failed (a plugin bug: a TypeError, an op without a gradient), as opposed to
 * a mistake in what the user gave, which is a DistilleryError. It names the strategy by its place in
 * the experiment and its key, and keeps the original error as `cause` for its stack, so front ends
 * report it as a failure of that plugin rather than as a bad config.
 */
export class StrategyFailure extends Error {
  override readonly name = 'StrategyFailure';

  /** Recognised by name, as DistilleryError is, so a plugin's own copy of core still matches. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'StrategyFailure';
  }

  constructor(
    /** Its index in the experiment's `strategies`. */
    readonly index: number,
    readonly key: string,
    /** What the kernel asked of it: 'creating it', 'building it', 'computing its loss', 'computing its gradient'. */
    readonly during: string,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`strategies[${index}] (${key}) failed while ${during}: ${reason}`);
  }
}
