import type { AuditRecord } from '../audit-types.js';
import type { ExportFormat } from './export-format.js';

// docs/api.md#audit-export: GitLab's audit CSV columns first (so its readers keep working), then Trove's. Values
// are written as stored, except that a text a spreadsheet would run as a formula gets a leading
// quote (docs/architecture.md#bad-input-and-limits, below): names and paths of refused requests are whatever a client sent.

type Column = [header: string, value: (e: AuditRecord) => string | number | null | undefined];

const COLUMNS: Column[] = [
  ['ID', (e) => e.id],
  ['Author ID', (e) => e.author_id],
  ['Author Name', (e) => e.details.author_name],
  ['Entity ID', (e) => e.entity_id],
  ['Entity Type', (e) => e.entity_type],
  ['Entity Path', (e) => e.details.entity_path],
  ['Target ID', (e) => e.details.target_id],
  ['Target Type', (e) => e.details.target_type],
  ['Target Details', (e) => e.details.target_details],
  // GitLab's "Action" is the human sentence of the event; the machine name is in the record's event_name.
  ['Action', (e) => e.details.custom_message],
  ['IP Address', (e) => e.ip_address],
  ['Created At (UTC)', (e) => e.created_at],
  ['Outcome', (e) => e.outcome],
  ['Actor Type', (e) => e.actor.type],
  ['Token Name', (e) => e.actor.token_name],
  ['Via', (e) => e.via],
  ['Client', (e) => (e.client ? (e.client.version ? `${e.client.name}/${e.client.version}` : e.client.name) : null)],
  ['Pipeline', (e) => e.pipeline?.id],
  ['Project', (e) => e.project?.full_path],
  ['Package Format', (e) => e.package?.format],
  ['Package Name', (e) => e.package?.name],
  ['Version', (e) => e.package?.version],
  ['Seq', (e) => e.seq],
  ['UUID', (e) => e.uuid],
];

export const CSV_HEADERS = COLUMNS.map(([header]) => header);

// RFC 4180: a field holding a comma, a quote or a line break is quoted with inner quotes doubled,
// null is empty, every record ends in CRLF. Written by hand because csv-stringify's per-field
// option handling made CSV exports several times slower than JSONL (bench/, audit at scale);
// csv-stringify (with record_delimiter 'windows') also left a lone LF or CR unquoted, which
// split the record for any reader.
const NEEDS_QUOTES = /[",\r\n]/;

// OWASP's CSV injection rule: a cell that begins with =, +, -, @, tab or CR is read by Excel,
// LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)` in a refused request's package
// name), so it is written with a leading ' that makes it text. Only the first character is
// looked at (a row is rendered a million times in a large export). Numbers are Trove's own
// (ids, seq; a deploy token's author_id is -2) and stay numbers.
const FORMULA_START = new Uint8Array(128);
for (const c of '=+-@\t\r') FORMULA_START[c.charCodeAt(0)] = 1;

/** `text` as a spreadsheet shows it literally. */
export function neutraliseFormula(text: string): string {
  const first = text.charCodeAt(0);
  return first < 128 && FORMULA_START[first] === 1 ? `'${text}` : text;
}

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : neutraliseFormula(String(value));
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One RFC 4180 record (CRLF-terminated) of these fields, each escaped and neutralised as above. */
export function csvRecord(fields: (string | number | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** One event's record; a loop rather than arrays of values and fields (a row is rendered a million times). */
function csvRow(event: AuditRecord): string {
  let line = csvField(COLUMNS[0][1](event));
  for (let c = 1; c < COLUMNS.length; c++) line += `,${csvField(COLUMNS[c][1](event))}`;
  return `${line}\r\n`;
}

export const csvFormat: ExportFormat = {
  name: 'csv',
  extension: 'csv',
  contentType: 'text/csv; charset=utf-8',
  preamble: () => csvRecord(CSV_HEADERS),
  renderOffThread: true,
  // The stored record as parsed, without toRecord's copy (the leaf hash is not a CSV column).
  render: (events) => {
    let text = '';
    for (const event of events) text += csvRow(JSON.parse(event.record) as AuditRecord);
    return text;
  },
};
