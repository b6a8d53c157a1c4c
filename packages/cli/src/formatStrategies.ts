import type { OptionListing } from './OptionListing.js';
import type { StrategyListing } from './StrategyListing.js';

/**
 * The listing of `distillery strategies` as plain text, one block per strategy:
 *
 *   response.kd: Hinton KD, …
 *     paper: Hinton, Vinyals, Dean 2015, …
 *     options:
 *       temperature (number > 0 | { start, end, shape? }, default 4): softening temperature …
 */
export function formatStrategies(listings: readonly StrategyListing[]): string {
  return listings
    .map((listing) => {
      const lines = [`${listing.key}: ${listing.description}`];
      if (listing.paper !== undefined) lines.push(`  paper: ${listing.paper}`);
      if (listing.options === null)
        lines.push('  options: any (not declared by the plugin, checked when the strategy is created)');
      else if (listing.options.length === 0) lines.push('  options: none');
      else lines.push('  options:', ...listing.options.map((option) => `    ${optionLine(option)}`));
      return lines.join('\n');
    })
    .join('\n\n');
}

function optionLine(option: OptionListing): string {
  const presence = 'default' in option ? `default ${literal(option.default)}` : option.required ? 'required' : 'optional';
  const head = `${option.name} (${option.type}, ${presence})`;
  return option.description === undefined ? head : `${head}: ${option.description}`;
}

/** Strings quoted as in the types (`'linear' | 'cosine'`, default 'linear'), anything else as JSON. */
function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
