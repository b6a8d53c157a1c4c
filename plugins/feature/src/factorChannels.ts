/**
 * The channels of a factor for a feature of `channels` channels at paraphrase rate k (Kim, Park, Kwak 2018,
 * "Paraphrasing Complex Network", section 3.1: the paraphraser maps m channels to m × k): round(C · k), rounding
 * halves to the even neighbour as Python's `round`, which the authors' code uses (`int(round(64 * RATE))`).
 * RepDistiller's `int(C * k)` rounds down instead; the two agree whenever C · k is a whole number (every
 * power-of-two width at k = 0.5). May return 0 for a small C · k: callers refuse that.
 */
export function factorChannels(channels: number, rate: number): number {
  const scaled = channels * rate;
  const below = Math.floor(scaled);
  const fraction = scaled - below;
  if (fraction > 0.5) return below + 1;
  if (fraction < 0.5) return below;
  return below % 2 === 0 ? below : below + 1;
}
