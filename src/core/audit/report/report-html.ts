import type { AuditReport, AuditReportCheckpoint, AuditReportEntry } from '../../../contracts/audit-reports.js';
import {
  actorKindLabel,
  cappedNote,
  howLabel,
  integrityStatusLabel,
  periodLabel,
  REPORT_LISTS,
  REPORT_SECTIONS,
  scopeLabel,
  utc,
  viaLabel,
  whatLabel,
} from './report-text.js';

// A report as one standalone HTML document (report.html of the evidence pack): inline CSS, no
// script, no external resource, every value escaped; designed to print (sections start on a new
// page, table headers repeat on every page, rows are not split).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE = `
body { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 2em; }
h1 { font-size: 18pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; margin: 1.5em 0 .5em; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 1em 0 .3em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #333; }
.status-failed { color: #a00; font-weight: bold; }
.note { font-style: italic; }
code { font-size: 9pt; word-break: break-all; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; }
  section { break-before: page; }
  section.first { break-before: auto; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}`;

const cell = (value: unknown, numeric = false) => `<td${numeric ? ' class="n"' : ''}>${escapeHtml(value)}</td>`;

function table(headers: string[], rows: unknown[][], numericFrom = headers.length): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((v, i) => cell(v, i >= numericFrom)).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function summary(report: AuditReport): string {
  const s = report.summary;
  return [
    `<p>${escapeHtml(s.events)} events in total.</p>`,
    '<h3>By event type</h3>',
    table(['Event', 'Name', 'Count'], s.by_event_type.map((t) => [t.label, t.event_name, t.count]), 2),
    '<h3>By project</h3>',
    table(['Project', 'Count'], s.by_project.map((p) => [p.project ?? '(no project)', p.count]), 1),
    '<h3>By kind of actor</h3>',
    table(['Actor kind', 'Count'], s.by_actor_kind.map((a) => [actorKindLabel(a.kind), a.count]), 1),
    '<h3>By actor</h3>',
    table(['Actor', 'Kind', 'Count'], s.by_actor.map((a) => [a.label, actorKindLabel(a.kind), a.count]), 2),
    '<h3>By way in</h3>',
    table(['Via', 'Count'], s.by_via.map((v) => [viaLabel(v.via), v.count]), 1),
  ].join('\n');
}

function entries(list: { total: number; items: AuditReportEntry[] }, empty: string): string {
  if (list.total === 0) return `<p>${escapeHtml(empty)}</p>`;
  const note = cappedNote(list);
  const rows = list.items.map((e) => [utc(e.created_at), e.label, e.actor_label, howLabel(e), e.project ?? '', whatLabel(e), e.seq]);
  return `<p>${escapeHtml(list.total)} in total.</p>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}\n${table(['When', 'Event', 'Who', 'How', 'Project', 'What', 'Seq'], rows, 6)}`;
}

const checkpointRow = (cp: AuditReportCheckpoint) => [cp.tree_size, utc(cp.created_at), cp.verified_keys.join(', ') || `${cp.key_name} (signature not verified)`, cp.root_hash];

function integrity(report: AuditReport): string {
  const i = report.integrity;
  const facts: unknown[][] = [
    ['Status', integrityStatusLabel(i.status)],
    ['Events of the report', i.first_seq === null ? 'none' : `seq ${i.first_seq} to ${i.last_seq}`],
    ['Events verified', i.verified_events],
    ['Events not sealed yet', i.unsealed_events],
    ['Checked against', i.checked_against ? `checkpoint of tree size ${i.checked_against.tree_size} (${utc(i.checked_against.created_at)})` : 'no checkpoint'],
    ['Sealed by', i.sealing_checkpoint ? `checkpoint of tree size ${i.sealing_checkpoint.tree_size} (${utc(i.sealing_checkpoint.created_at)})` : 'no checkpoint yet'],
    ['Signing keys', i.signing_keys.join(', ') || 'none verified'],
    ['Keys trusted', i.trusted_keys === 'pinned' ? 'pinned by the operator (TROVE_AUDIT_TRUSTED_KEYS)' : 'published by this server (none pinned)'],
  ];
  const rows = facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th>${cell(v)}</tr>`).join('\n');
  const listed = i.checkpoints.length < i.checkpoints_total ? ` (the first ${i.checkpoints.length} are listed)` : '';
  return [
    `<p class="${i.status === 'failed' ? 'status-failed' : ''}">${escapeHtml(i.statement)}</p>`,
    `<table><tbody>\n${rows}\n</tbody></table>`,
    `<h3>Checkpoints signed during the period</h3>`,
    `<p>${escapeHtml(i.checkpoints_total)} checkpoint${i.checkpoints_total === 1 ? '' : 's'}${escapeHtml(listed)}.</p>`,
    i.checkpoints.length ? table(['Tree size', 'Signed at', 'Key', 'Root hash'], i.checkpoints.map(checkpointRow)) : '',
  ].join('\n');
}

/** The report as a printable, self-contained HTML document. */
export function renderAuditReportHtml(report: AuditReport): string {
  const title = `Audit report: ${scopeLabel(report.scope)}`;
  const visibility = report.visibility === 'own_actions' ? '<p class="note">This report holds only the reader&#39;s own actions (their role sees no more).</p>' : '';
  const sections = [
    `<section class="first"><h1>${escapeHtml(title)}</h1>
<p class="meta">Period: ${escapeHtml(periodLabel(report.period))}<br>Generated ${escapeHtml(utc(report.generated_at))} by ${escapeHtml(report.generated_by)}</p>
${visibility}<h2>${REPORT_SECTIONS.summary}</h2>
${summary(report)}</section>`,
    ...REPORT_LISTS.map(({ key, title: heading, empty }) => `<section><h2>${escapeHtml(heading)}</h2>\n${entries(report[key], empty)}</section>`),
    `<section><h2>${REPORT_SECTIONS.integrity}</h2>\n${integrity(report)}</section>`,
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body>
${sections.join('\n')}
</body></html>
`;
}
