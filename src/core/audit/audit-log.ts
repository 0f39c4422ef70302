import { lastUsedAuditSeq, lockAuditAppend, PENDING_SEQ_MARKER_PREFIX } from '../../storage/db/audit-append.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { isPostgres } from '../../storage/db/dialect-types.js';
import { insertRows } from '../../storage/db/row-lookup.js';
import { nowIso } from '../clock.js';
import { markIndexedAtInsert } from './audit-indexer.js';
import { canonicalJson, leafHashOfText } from './seal/canonical-json.js';
import { effectiveSetting, type InstanceDefaults } from './audit-settings.js';
import { OutboxSignal } from './streaming/outbox-signal.js';
import { queueForStreaming, streamDestinationsOf } from './streaming/stream-outbox.js';
import { uuidV7 } from './uuid-v7.js';
import { followsPackageSetting } from './event-catalog.js';
import { type ActorSnapshot, type AuditContext, type AuditEventInput, type AuditRecord } from './audit-types.js';

// GitLab's pseudo author ids for authors that are not users.
// GitLab has no OIDC-minted token; Trove gives trusted publishing a pseudo author of its own.
const AUTHOR_ID = { anonymous: -1, deploy_token: -2, system: -3, oidc: -4 } as const;

function authorFields(actor: ActorSnapshot) {
  switch (actor.type) {
    case 'deploy_token':
      return { id: AUTHOR_ID.deploy_token, name: actor.token_name, class: 'DeployToken', tokenType: 'DeployToken' };
    case 'system':
      return { id: AUTHOR_ID.system, name: actor.name ?? 'Trove', class: 'System', tokenType: null };
    case 'anonymous':
      return { id: AUTHOR_ID.anonymous, name: 'An unauthenticated user', class: 'Gitlab::Audit::UnauthenticatedAuthor', tokenType: null };
    case 'job_token':
      return { id: actor.user_id ?? AUTHOR_ID.anonymous, name: actor.username, class: 'User', tokenType: 'CiJobToken' };
    case 'oidc':
      return { id: AUTHOR_ID.oidc, name: actor.subject ?? actor.username, class: 'TrustedPublisher', tokenType: 'OidcToken' };
    case 'personal_access_token':
      return { id: actor.user_id ?? AUTHOR_ID.anonymous, name: actor.username, class: 'User', tokenType: 'PersonalAccessToken' };
    case 'user':
      return { id: actor.user_id ?? AUTHOR_ID.anonymous, name: actor.username, class: 'User', tokenType: null };
  }
}

/**
 * Whether events go into the filter indexes with their insert (1) or later, in a batch, by the
 * AuditIndexer (0; migration 012). A transaction of a few events pays a B-tree insert and a page
 * write per index and event, so those are deferred on SQLite; a large batch (the download events)
 * shares the index pages, and PostgreSQL always indexes at insert.
 */
const IMMEDIATE_INDEX_BATCH = 50;

/** About 18 bound values per row: 200 rows stay far below both databases' parameter limits. */
const ROWS_PER_INSERT = 200;

function indexedAtInsert(tx: Tx, events: number): 0 | 1 {
  return isPostgres(tx) || events >= IMMEDIATE_INDEX_BATCH ? 1 : 0;
}

/** The audit log and the who-and-how of the request (or system run) making a change, for services that record it. */
export interface AuditedBy {
  audit: AuditLog;
  ctx: AuditContext;
}

/**
 * The one place audit events are written. Callers pass their open transaction, so the
 * event commits or rolls back together with the change it describes (docs/architecture.md#the-one-write-path).
 */
export class AuditLog {
  /** Fires after streaming outbox rows were written (src/core/audit/streaming). */
  readonly outboxSignal = new OutboxSignal();

  constructor(private readonly defaults: InstanceDefaults) {}

  get instanceDefaults(): InstanceDefaults {
    return this.defaults;
  }

  /** Whether package events of this scope are recorded (the package_audit_events setting). */
  async packageEventsEnabled(db: Db, settingNamespaceId: number | null): Promise<boolean> {
    if (settingNamespaceId === null) return this.defaults.package_audit_events !== 'disabled';
    const setting = await effectiveSetting(db, settingNamespaceId, 'package_audit_events', this.defaults);
    return setting.value === 'enabled';
  }

  /**
   * Records the event inside `tx`; false when the scope's setting turns package events off.
   * On PostgreSQL the event gets its seq when `tx` commits (migration 034), so concurrent writers
   * do not wait for one another's transactions; use `recordNumbered` when the seq is needed before.
   */
  async record(tx: Tx, ctx: AuditContext, input: AuditEventInput): Promise<boolean> {
    return (await this.recordBatch(tx, [{ ctx, input }])) === 1;
  }

  /**
   * Records many events inside `tx` exactly as `record` would one after the other (same setting
   * check, contiguous seq in the given order), with one setting lookup per scope and multi-row
   * inserts: a package write's events, the batched download events. Returns how many were recorded.
   */
  async recordBatch(tx: Tx, events: { ctx: AuditContext; input: AuditEventInput }[]): Promise<number> {
    const kept = await this.enabledOf(tx, events);
    if (kept.length === 0) return 0;
    if (isPostgres(tx)) await this.writePending(tx, kept);
    else await this.append(tx, kept);
    return kept.length;
  }

  /**
   * Records the event inside `tx` with its seq known now: takes the append lock, held until `tx`
   * ends (an export's upper bound, an alarm's event). Returns null when the setting turns it off.
   */
  async recordNumbered(tx: Tx, ctx: AuditContext, input: AuditEventInput): Promise<AuditRecord | null> {
    const kept = await this.enabledOf(tx, [{ ctx, input }]);
    return kept.length === 0 ? null : (await this.append(tx, kept))[0]!;
  }

  /** The events whose scope's setting does not turn them off (one lookup per scope). */
  private async enabledOf<T extends { input: AuditEventInput }>(tx: Tx, events: T[]): Promise<T[]> {
    const enabled = new Map<number | null, boolean>();
    const kept: T[] = [];
    for (const event of events) {
      if (followsPackageSetting(event.input.eventName)) {
        const key = event.input.scope.settingNamespaceId;
        if (!enabled.has(key)) enabled.set(key, await this.packageEventsEnabled(tx, key));
        if (!enabled.get(key)) continue;
      }
      kept.push(event);
    }
    return kept;
  }

  /** Appends the events to audit_events with their seqs, under the append lock (held until `tx` ends). */
  private async append(tx: Tx, events: { ctx: AuditContext; input: AuditEventInput }[]): Promise<AuditRecord[]> {
    let seq = await this.lastSeq(tx);
    const indexed = indexedAtInsert(tx, events.length);
    const built = events.map((event) => this.build(++seq, event.ctx, event.input, indexed));
    for (let i = 0; i < built.length; i += ROWS_PER_INSERT) {
      await insertRows(tx, 'audit_events', built.slice(i, i + ROWS_PER_INSERT).map((b) => b.row));
    }
    if (indexed === 1 && !isPostgres(tx)) await markIndexedAtInsert(tx, built[0]!.row.id, seq);
    const records = built.map((b) => b.record);
    await this.queueForStreaming(tx, records);
    return records;
  }

  /**
   * PostgreSQL: the events as their commit will append them, in this order, each with a marker
   * where its seq goes and the streaming destinations that get it (migration 034).
   */
  private async writePending(tx: Tx, events: { ctx: AuditContext; input: AuditEventInput }[]): Promise<void> {
    const contents = events.map((event) => this.content(event.ctx, event.input));
    const destinations = await streamDestinationsOf(tx, contents);
    const rows = contents.map((content, i) => {
      const marker = PENDING_SEQ_MARKER_PREFIX + content.uuid;
      return {
        ...this.filterColumns(content, events[i]!.ctx),
        record: canonicalJson({ ...content, id: marker, seq: marker }),
        stream_destinations: destinations[i]!.length > 0 ? destinations[i]!.join(',') : null,
      };
    });
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await insertRows(tx, 'audit_events_pending', rows.slice(i, i + ROWS_PER_INSERT));
    const streamed = [...new Set(destinations.flat())];
    if (streamed.length > 0) this.outboxSignal.notify(streamed);
  }

  /** The streaming outbox rows of these events, in the same transaction (docs/architecture.md#the-one-write-path, docs/api.md#audit-event-streaming). */
  private async queueForStreaming(tx: Tx, records: AuditRecord[]): Promise<void> {
    const destinations = await queueForStreaming(tx, records);
    if (destinations.length > 0) this.outboxSignal.notify(destinations);
  }

  /** Takes the append lock (held until `tx` ends) and returns the current last seq. */
  private async lastSeq(tx: Tx): Promise<number> {
    // Contiguous because appends are serialised until commit.
    await lockAuditAppend(tx);
    return lastUsedAuditSeq(tx);
  }

  /** The stored record of one event and its audit_events row. */
  private build(seq: number, ctx: AuditContext, input: AuditEventInput, indexed: 0 | 1) {
    const record: AuditRecord = { id: seq, seq, ...this.content(ctx, input) };
    // Stored as its canonical JSON, the very text the leaf hashes: a verifier that finds the
    // leaf by hashing the text as it is need not parse and re-serialize it (record-check.ts).
    const text = canonicalJson(record);
    const row = {
      id: seq,
      seq,
      ...this.filterColumns(record, ctx),
      record: text,
      // The Merkle leaf of this record (docs/architecture.md#tamper-evidence): SHA-256(0x00 || RFC 8785 JSON of the stored record).
      leaf_hash: leafHashOfText(text),
      indexed,
    };
    return { record, row };
  }

  /** Everything an event's record holds but its id and seq. */
  private content(ctx: AuditContext, input: AuditEventInput): Omit<AuditRecord, 'id' | 'seq'> {
    const author = authorFields(ctx.actor);
    return {
      uuid: uuidV7(),
      event_name: input.eventName,
      outcome: input.outcome ?? 'success',
      reason: input.reason ?? null,
      created_at: nowIso(),
      author_id: author.id,
      entity_id: input.scope.entityId,
      entity_type: input.scope.entityType,
      details: {
        author_name: author.name,
        author_class: author.class,
        target_id: input.target.id,
        target_type: input.target.type,
        target_details: input.target.details,
        custom_message: input.customMessage,
        ip_address: ctx.ipAddress,
        entity_path: input.scope.entityPath,
        auth_token_type: author.tokenType,
        ...(input.credentialPrefix === undefined ? {} : { credential_prefix: input.credentialPrefix }),
        ...(input.count === undefined ? {} : { count: input.count }),
        ...(input.provenance === undefined ? {} : { provenance: input.provenance }),
      },
      actor: ctx.actor,
      via: ctx.via,
      client: ctx.client,
      user_agent: ctx.userAgent,
      pipeline: ctx.pipeline,
      project: input.project ?? null,
      package: input.package ?? null,
      changes: input.changes ?? null,
      request_id: ctx.requestId,
      ip_address: ctx.ipAddress,
    };
  }

  /** The columns an event is filtered and indexed by. */
  private filterColumns(record: Omit<AuditRecord, 'id' | 'seq'>, ctx: AuditContext) {
    return {
      uuid: record.uuid,
      event_name: record.event_name,
      outcome: record.outcome,
      author_id: record.author_id,
      author_username: ctx.actor.username,
      actor_type: ctx.actor.type,
      token_id: ctx.actor.token_id,
      entity_type: record.entity_type,
      entity_id: record.entity_id,
      entity_path: record.details.entity_path,
      project_id: record.project?.id ?? null,
      package_format: record.package?.format ?? null,
      package_name: record.package?.name ?? null,
      via: record.via,
      created_at: record.created_at,
    };
  }

  /** Records a single event in a transaction of its own (credential, auth and denial events). */
  async recordAlone(db: Db, ctx: AuditContext, input: AuditEventInput): Promise<AuditRecord | null> {
    return db.transaction().execute((tx) => this.recordNumbered(tx, ctx, input));
  }
}
