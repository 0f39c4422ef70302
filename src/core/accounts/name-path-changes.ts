import type { Changes } from '../audit/audit-types.js';
import type { Visibility } from './access-levels.js';
import { assertVisibility } from './namespaces.js';
import { assertValidName, assertValidPath } from './paths.js';

// The fields PUT /groups/:id and PUT /projects/:id change (GitLab's), validated and compared the
// same way for both; what a path change moves and which events follow is each caller's own.

/** The fields as a request gives them (each checked by parseNamePathChanges). */
export interface NamePathChanges {
  name?: string;
  path?: string;
  /** null clears it. */
  description?: string | null;
  visibility?: string;
}

export interface NamePathFields {
  name: string;
  path: string;
  description: string;
  visibility: Visibility;
}

/** The fields given in a body, validated (before the transaction: a bad value changes nothing). */
export function parseNamePathChanges(input: NamePathChanges): Partial<NamePathFields> {
  return {
    name: input.name === undefined ? undefined : assertValidName(input.name, 'name'),
    path: input.path === undefined ? undefined : assertValidPath(input.path, 'path'),
    description: input.description === undefined ? undefined : String(input.description ?? ''),
    visibility: input.visibility === undefined ? undefined : assertVisibility(input.visibility),
  };
}

/** The fields after the change, and `changes` for name, path and description (visibility has an event of its own). */
export function applyNamePathChanges(before: NamePathFields, given: Partial<NamePathFields>): { next: NamePathFields; changes: Changes } {
  const next: NamePathFields = {
    name: given.name ?? before.name,
    path: given.path ?? before.path,
    description: given.description ?? before.description,
    visibility: given.visibility ?? before.visibility,
  };
  const changes: Changes = {};
  for (const field of ['name', 'path', 'description'] as const) {
    if (next[field] !== before[field]) changes[field] = { from: before[field], to: next[field] };
  }
  return { next, changes };
}
