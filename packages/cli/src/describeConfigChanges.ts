import diff from 'microdiff';

/** What changed between two configs, as `path: before → after` entries (at most `limit`, then a count). */
export function describeConfigChanges(before: object, after: object, limit = 5): string {
  const changes = diff(before as Record<string, unknown>, after as Record<string, unknown>);
  const shown = changes.slice(0, limit).map((change) => {
    const path = change.path.reduce<string>(
      (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`),
      '',
    );
    const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));
    if (change.type === 'CREATE') return `${path}: (none) → ${show(change.value)}`;
    if (change.type === 'REMOVE') return `${path}: ${show(change.oldValue)} → (none)`;
    return `${path}: ${show(change.oldValue)} → ${show(change.value)}`;
  });
  const more = changes.length > limit ? `, and ${changes.length - limit} more` : '';
  return shown.join(', ') + more;
}
