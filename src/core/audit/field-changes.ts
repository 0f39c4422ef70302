import type { Changes } from './audit-types.js';

/**
 * An event's `changes` between two versions of a settings record: each named field whose value
 * differs, as `{from, to}`; `before` null for a creation, `after` null for a deletion. `same`
 * compares two values (strict equality unless a field holds objects).
 */
export function fieldChanges<F extends object>(
  names: readonly (keyof F & string)[],
  before: F | null,
  after: F | null,
  same: (a: unknown, b: unknown) => boolean = (a, b) => a === b,
): Changes {
  const changes: Changes = {};
  for (const key of names) {
    const from = before ? before[key] : null;
    const to = after ? after[key] : null;
    if (!same(from, to)) changes[key] = { from, to };
  }
  return changes;
}

/** A settings record with a PATCH applied: the fields given replace the record's; undefined ones keep it. */
export function patchedFields<F extends object>(before: F, patch: Partial<F>): F {
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<F>;
  return { ...before, ...given };
}
