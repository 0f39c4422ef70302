import Type, { type Static } from 'typebox';
import { Actor, Client, Pipeline, Via } from './actors.js';
import { AUDIT_EVENT_NAMES } from './audit-event-names.js';
import { Id, Nullable, Timestamp } from './common.js';
import { ProvenanceRecord } from './provenance.js';

export { Client, Via };

// One audit event as the API serves it (docs/architecture.md#the-audit-record): the record exactly as stored and sealed, plus
// its Merkle leaf hash. The list, single-event and JSONL export endpoints all answer with it.

/** Where an event is stored (GitLab's entity_type). */
export const EntityType = Type.Union([Type.Literal('Group'), Type.Literal('Project'), Type.Literal('User'), Type.Literal('Instance')]);
export type EntityType = Static<typeof EntityType>;

/** A package an event is about, with the files it concerned. */
export const AuditedPackage = Type.Object({
  id: Nullable(Id),
  format: Type.String(),
  name: Type.String(),
  version: Nullable(Type.String()),
  files: Type.Array(Type.Object({ file_name: Type.String(), size: Type.Integer({ minimum: 0 }), sha256: Type.String() })),
});
export type AuditedPackage = Static<typeof AuditedPackage>;

/** What a change did to each field (secrets shown as "[rotated]", never their value). */
export const Changes = Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() }));
export type Changes = Static<typeof Changes>;

export const AuditEvent = Type.Object({
  id: Id,
  uuid: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  event_name: Type.Enum(AUDIT_EVENT_NAMES),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  reason: Nullable(Type.String()),
  created_at: Timestamp,
  /** GitLab's author: the user; -1 nobody signed in, -2 a deploy token, -3 Trove itself. */
  author_id: Type.Integer(),
  entity_id: Type.Integer(),
  entity_type: EntityType,
  details: Type.Object({
    author_name: Nullable(Type.String()),
    author_class: Type.String(),
    target_id: Nullable(Type.Integer()),
    target_type: Type.String(),
    target_details: Type.String(),
    custom_message: Type.String(),
    ip_address: Nullable(Type.String()),
    entity_path: Nullable(Type.String()),
    auth_token_type: Nullable(Type.String()),
    /** authentication_failed: the first characters of the refused credential. */
    credential_prefix: Type.Optional(Type.String()),
    /** authentication_failed: how many refusals the event stands for. */
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    /** A publish or file upload with provenance (docs/api.md#provenance): each stored document's digest and statement. */
    provenance: Type.Optional(Type.Array(ProvenanceRecord)),
  }),
  actor: Type.Object({ ...Actor.properties, policy_id: Type.Optional(Id) }),
  via: Via,
  client: Nullable(Client),
  user_agent: Nullable(Type.String()),
  pipeline: Nullable(Pipeline),
  project: Nullable(Type.Object({ id: Id, full_path: Type.String() })),
  package: Nullable(AuditedPackage),
  changes: Nullable(Changes),
  request_id: Nullable(Type.String()),
  ip_address: Nullable(Type.String()),
  /** The event's Merkle leaf (docs/architecture.md#tamper-evidence); computed when recorded, not part of the stored record. */
  leaf_hash: Nullable(Type.String()),
});
export type AuditEvent = Static<typeof AuditEvent>;
