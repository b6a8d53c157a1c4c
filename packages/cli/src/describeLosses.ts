import type { BatchEndEvent } from '@distillery/core';

/**
 * A batch's losses for the progress line: the total alone when there is one term, else the total then each
 * term, with the parts a strategy reports after it: `0.4127 (task.ce 0.3021, response.dkd 0.1106: target
 * 0.0412, nonTarget 0.0694)`.
 */
export function describeLosses({ total, losses, lossParts }: Pick<BatchEndEvent, 'total' | 'losses' | 'lossParts'>): string {
  const terms = Object.entries(losses);
  if (terms.length === 1 && lossParts === undefined) return total.toFixed(4);
  const described = terms.map(([term, loss]) => {
    const parts = Object.entries(lossParts?.[term] ?? {});
    const detail = parts.length === 0 ? '' : `: ${parts.map(([part, value]) => `${part} ${value.toFixed(4)}`).join(', ')}`;
    return `${term} ${loss.toFixed(4)}${detail}`;
  });
  return `${total.toFixed(4)} (${described.join(', ')})`;
}
