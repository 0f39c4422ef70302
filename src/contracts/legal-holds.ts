import Type, { type Static } from 'typebox';
import { PublishedBy } from './actors.js';
import { Id, Nullable, Timestamp } from './common.js';

// Legal holds (docs/api.md#legal-holds): while one covers a version, nobody can delete it or change
// its files, administrators and cleanup policies included, until an owner releases it.

export const LegalHoldScope = Type.Union([Type.Literal('version'), Type.Literal('name'), Type.Literal('project')]);
export type LegalHoldScope = Static<typeof LegalHoldScope>;

// A hold's terms (reason, reference, who set it) often name a case or an investigation: they are shown
// to the project's maintainers and above (who also read them in the project's audit log); any other
// reader sees that a hold is in force, what it covers and since when, with the terms null.

/** The hold that covers a version, as the package JSON shows it (`legal_hold`, null when none does). */
export const PackageLegalHold = Type.Object({
  reason: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  set_by: Nullable(PublishedBy),
  set_at: Timestamp,
  scope: LegalHoldScope,
});
export type PackageLegalHold = Static<typeof PackageLegalHold>;

/** `GET /projects/:id/legal_holds`, and the answer of each PUT: a hold in force and what it covers. */
export const LegalHold = Type.Object({
  id: Id,
  project_id: Id,
  scope: LegalHoldScope,
  /** The held version (scope `version`), else null. */
  package_id: Nullable(Id),
  /** The held package's format and name (scopes `version` and `name`), else null. */
  package_type: Nullable(Type.String()),
  package_name: Nullable(Type.String()),
  /** The held version's version string (scope `version`), else null. */
  package_version: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  set_by: Nullable(PublishedBy),
  set_at: Timestamp,
});
export type LegalHold = Static<typeof LegalHold>;
