import { toRecord } from '../audit-query.js';
import type { AuditRecord } from '../audit-types.js';
import { auditEventSpec } from '../event-catalog.js';
import { PRODUCT, type ExportFormat } from './export-format.js';

// ArcSight Common Event Format, one event per line:
//   CEF:0|Trove|Trove|<version>|<event_name>|<custom message>|<severity>|<extension>
// Escaping as the CEF specification ("Implementing ArcSight CEF", character encoding) says:
// - header fields: backslash and pipe are escaped with a backslash; a header cannot span lines,
//   so CR/LF (not allowed there) become a space;
// - extension values: backslash and equals sign are escaped with a backslash, and line breaks
//   are written as \n or \r (multi-line values are allowed only in the extension); a pipe needs
//   no escaping in the extension.

export function escapeHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

export function escapeExtension(value: string): string {
  return value.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r\n|\n/g, '\\n').replace(/\r/g, '\\r');
}

/** 0-10: refused writes are medium (6), a failed login high (7), everything else low (3). */
function severityOf(e: AuditRecord): number {
  if (e.outcome === 'success') return 3;
  return auditEventSpec(e.event_name)?.category === 'authentication' ? 7 : 6;
}

/** Standard keys first; cs1..cs6, cn1..cn2 and flexString1..2 carry Trove's fields, each with its label. */
function extensionOf(e: AuditRecord): Array<[string, string | number | null | undefined]> {
  const pkg = e.package ? `${e.package.format}:${e.package.name}${e.package.version ? `@${e.package.version}` : ''}` : null;
  const client = e.client ? (e.client.version ? `${e.client.name}/${e.client.version}` : e.client.name) : null;
  const labelled = (n: string, label: string, value: string | number | null | undefined): Array<[string, typeof value]> =>
    value === null || value === undefined ? [] : [[`${n}Label`, label], [n, value]];
  return [
    ['rt', Date.parse(e.created_at)],
    ['externalId', e.uuid],
    ['act', e.event_name],
    ['outcome', e.outcome],
    ['reason', e.reason],
    ['suser', e.details.author_name],
    ['suid', e.author_id],
    ['src', e.ip_address],
    ['requestClientApplication', e.user_agent],
    ['msg', e.details.custom_message],
    ...labelled('cs1', 'via', e.via),
    ...labelled('cs2', 'client', client),
    ...labelled('cs3', 'project', e.project?.full_path),
    ...labelled('cs4', 'package', pkg),
    ...labelled('cs5', 'entityPath', e.details.entity_path),
    ...labelled('cs6', 'changes', e.changes ? JSON.stringify(e.changes) : null),
    ...labelled('cn1', 'seq', e.seq),
    ...labelled('cn2', 'pipelineId', e.pipeline?.id),
    ...labelled('flexString1', 'actorType', e.actor.type),
    ...labelled('flexString2', 'tokenName', e.actor.token_name),
  ];
}

export function toCef(e: AuditRecord): string {
  const header = ['CEF:0', PRODUCT.vendorName, PRODUCT.name, PRODUCT.version, e.event_name, e.details.custom_message, String(severityOf(e))];
  const extension = extensionOf(e)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeExtension(String(value))}`)
    .join(' ');
  return `${header.map((field, i) => (i === 0 ? field : escapeHeader(field))).join('|')}|${extension}`;
}

export const cefFormat: ExportFormat = {
  name: 'cef',
  extension: 'cef',
  contentType: 'text/plain; charset=utf-8',
  render: (events) => events.map(toRecord).map((e) => `${toCef(e)}\n`).join(''),
};
