import type { AuditReport } from '../../../contracts/audit-reports.js';
import type { Db } from '../../../storage/db/database.js';
import { nowIso } from '../../clock.js';
import { listStoredEventsOldestFirst, type AuditFilters, type AuditView } from '../audit-query.js';
import type { AuditRecord } from '../audit-types.js';
import type { VerifyEvent } from '../verify/index.js';
import { integrityOf, pinLatestCheckpoint, proofOf, verifyPeriod, type PinnedCheckpoint } from './report-integrity.js';
import { lastInstantOf, type ReportPeriod } from './report-period.js';
import { ReportTally } from './report-tally.js';
import type { ReportTrust } from './report-trust.js';

// An audit report (docs/api.md#audit-reports): the events of one view (instance, groups, project)
// in a period, read once, oldest first, in keyset pages (audit-query.ts, as exports read them),
// counted and listed by ReportTally and checked by the verifier (report-integrity.ts) as they pass.

/** Most entries in each list of a report: beyond it the list says how many more the export holds. */
export const LIST_CAP = 5000;
const PAGE = 500;

export interface AuditReportRequest {
  view: AuditView;
  /** Set when the reader may see only their own actions (audit-views.ts). */
  onlyAuthorId?: number;
  scope: AuditReport['scope'];
  period: ReportPeriod;
  generatedBy: string;
  /** The report's fixed end: events up to this id (its own read event, recorded first, is after it). */
  throughId?: number;
  trust: ReportTrust;
  /** TROVE_AUDIT_PROOF_MAX_EVENTS: above it the period is not verified here. */
  proofMaxEvents: number;
  listCap?: number;
}

/** Reads the view's events page by page from `afterId`; each page is tallied when read, then its records are handed on. */
class PeriodReader {
  private afterId = 0;
  private finished = false;

  constructor(
    private readonly db: Db,
    private readonly view: AuditView,
    private readonly filters: AuditFilters,
    private readonly tally: ReportTally,
    private readonly pinned: PinnedCheckpoint,
  ) {}

  /** The records with their leaf hash and, when the pinned checkpoint seals them, inclusion proof. */
  async *records(): AsyncGenerator<VerifyEvent> {
    while (!this.finished) {
      const rows = await listStoredEventsOldestFirst(this.db, this.view, this.filters, { limit: PAGE, afterId: this.afterId });
      if (rows.length < PAGE) this.finished = true;
      if (rows.length > 0) this.afterId = rows[rows.length - 1].id;
      const records = rows.map((row) => ({ record: JSON.parse(row.record) as AuditRecord, leafHash: row.leaf_hash }));
      for (const { record } of records) this.tally.add(record);
      for (const { record, leafHash } of records) {
        const proof = proofOf(this.pinned, record.seq);
        yield { ...record, leaf_hash: leafHash, ...(proof ? { inclusion_proof: proof } : {}) };
      }
    }
  }

  /** Tallies the pages the verifier did not read (it stops at the first failure). */
  async rest(): Promise<void> {
    for await (const _ of this.records());
  }
}

export async function buildAuditReport(db: Db, request: AuditReportRequest): Promise<AuditReport> {
  const listCap = request.listCap ?? LIST_CAP;
  // Pinned before any event is read: every event read after it is either sealed by it or reported as not yet sealed.
  const pinned = await pinLatestCheckpoint(db, request.proofMaxEvents);
  const filters: AuditFilters = {
    createdAfter: request.period.from,
    createdBefore: lastInstantOf(request.period),
    onlyAuthorId: request.onlyAuthorId,
    throughId: request.throughId,
  };
  const tally = new ReportTally(listCap);
  const reader = new PeriodReader(db, request.view, filters, tally, pinned);
  const checkable = pinned.kind === 'pinned' || pinned.kind === 'none';
  const result = checkable ? await verifyPeriod(reader.records(), pinned, request.trust) : null;
  await reader.rest();
  const integrity = await integrityOf(db, { pinned, result, events: tally.eventCount, period: request.period, trust: request.trust });
  return {
    scope: request.scope,
    period: request.period,
    generated_at: nowIso(),
    generated_by: request.generatedBy,
    visibility: request.onlyAuthorId === undefined ? 'all' : 'own_actions',
    list_cap: listCap,
    summary: tally.summary(),
    ...tally.listsOf(),
    integrity,
  };
}
