import type { ReactNode } from 'react';
import type { AuditReport, AuditReportEntry, AuditReportList } from '../../../src/contracts/audit-reports.js';
import {
  actorKindLabel,
  cappedNote,
  howLabel,
  integrityStatusLabel,
  REPORT_LISTS,
  REPORT_SECTIONS,
  utc,
  viaLabel,
  whatLabel,
} from '../../../src/core/audit/report/report-text.js';

// A report's sections, in the order and with the words of the printable HTML (report-text.ts):
// each section is a <section> that prints on a page of its own, each table repeats its header.

function Table({ caption, headers, rows, numeric = 1 }: { caption: string; headers: string[]; rows: ReactNode[][]; numeric?: number }) {
  return (
    <div className="table-wrap">
      <table className="report-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {row.map((value, j) => (
                <td key={j} className={j >= headers.length - numeric ? 'n' : undefined}>
                  {value}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Summary({ summary }: { summary: AuditReport['summary'] }) {
  return (
    <section className="report-section" aria-labelledby="report-summary">
      <h2 id="report-summary">{REPORT_SECTIONS.summary}</h2>
      <p>
        <strong>{summary.events}</strong> events in total.
      </p>
      <Table caption="By event type" headers={['Event', 'Name', 'Count']} rows={summary.by_event_type.map((t) => [t.label, <code key="n">{t.event_name}</code>, t.count])} />
      <Table caption="By project" headers={['Project', 'Count']} rows={summary.by_project.map((p) => [p.project ?? '(no project)', p.count])} />
      <Table caption="By kind of actor" headers={['Actor kind', 'Count']} rows={summary.by_actor_kind.map((a) => [actorKindLabel(a.kind), a.count])} />
      <Table caption="By actor" headers={['Actor', 'Kind', 'Count']} rows={summary.by_actor.map((a) => [a.label, actorKindLabel(a.kind), a.count])} />
      <Table caption="By way in" headers={['Via', 'Count']} rows={summary.by_via.map((v) => [viaLabel(v.via), v.count])} />
    </section>
  );
}

const entryRow = (e: AuditReportEntry): ReactNode[] => [utc(e.created_at), e.label, e.actor_label, howLabel(e), e.project ?? '', whatLabel(e), e.seq];

function EntryList({ id, title, empty, list }: { id: string; title: string; empty: string; list: AuditReportList }) {
  const note = cappedNote(list);
  return (
    <section className="report-section" aria-labelledby={`report-${id}`}>
      <h2 id={`report-${id}`}>{title}</h2>
      {list.total === 0 ? (
        <p>{empty}</p>
      ) : (
        <>
          <p>{list.total} in total.</p>
          {note && <p className="note">{note}</p>}
          <Table caption={title} headers={['When', 'Event', 'Who', 'How', 'Project', 'What', 'Seq']} rows={list.items.map(entryRow)} />
        </>
      )}
    </section>
  );
}

function Integrity({ integrity: i }: { integrity: AuditReport['integrity'] }) {
  const checkpoint = (cp: AuditReport['integrity']['checked_against']) => (cp ? `checkpoint of tree size ${cp.tree_size} (${utc(cp.created_at)})` : 'no checkpoint');
  return (
    <section className="report-section" aria-labelledby="report-integrity">
      <h2 id="report-integrity">{REPORT_SECTIONS.integrity}</h2>
      <p className={`state ${i.status === 'failed' ? 'error' : i.status === 'verified' ? 'ok' : 'read-only'}`} role="status">
        <strong>{integrityStatusLabel(i.status)}.</strong> {i.statement}
      </p>
      <dl className="facts">
        <dt>Events of the report</dt>
        <dd>{i.first_seq === null ? 'none' : `seq ${i.first_seq} to ${i.last_seq}`}</dd>
        <dt>Events verified</dt>
        <dd>{i.verified_events}</dd>
        <dt>Events not sealed yet</dt>
        <dd>{i.unsealed_events}</dd>
        <dt>Checked against</dt>
        <dd>{checkpoint(i.checked_against)}</dd>
        <dt>Sealed by</dt>
        <dd>{i.sealing_checkpoint ? checkpoint(i.sealing_checkpoint) : 'no checkpoint yet'}</dd>
        <dt>Signing keys</dt>
        <dd>{i.signing_keys.join(', ') || 'none verified'}</dd>
        <dt>Keys trusted</dt>
        <dd>{i.trusted_keys === 'pinned' ? 'pinned by the operator (TROVE_AUDIT_TRUSTED_KEYS)' : 'published by this server (none pinned)'}</dd>
      </dl>
      <h3>Checkpoints signed during the period</h3>
      <p>
        {i.checkpoints_total} checkpoint{i.checkpoints_total === 1 ? '' : 's'}
        {i.checkpoints.length < i.checkpoints_total ? ` (the first ${i.checkpoints.length} are listed)` : ''}.
      </p>
      {i.checkpoints.length > 0 && (
        <Table
          caption="Checkpoints"
          headers={['Tree size', 'Signed at', 'Key', 'Root hash']}
          numeric={0}
          rows={i.checkpoints.map((cp) => [cp.tree_size, utc(cp.created_at), cp.verified_keys.join(', ') || `${cp.key_name} (signature not verified)`, <code className="hash" key="h">{cp.root_hash}</code>])}
        />
      )}
    </section>
  );
}

export function AuditReportView({ report }: { report: AuditReport }) {
  return (
    <div className="report">
      <p className="meta">
        Generated {utc(report.generated_at)} by {report.generated_by}.
        {report.visibility === 'own_actions' && ' It holds only your own actions: your role sees no more.'}
      </p>
      <Summary summary={report.summary} />
      {REPORT_LISTS.map(({ key, title, empty }) => (
        <EntryList key={key} id={key} title={title} empty={empty} list={report[key]} />
      ))}
      <Integrity integrity={report.integrity} />
    </div>
  );
}
