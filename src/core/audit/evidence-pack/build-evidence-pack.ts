// Builds an evidence pack (pack-layout.ts) as one streamed zip: the JSONL export of a scope and
// period with inclusion proofs (the export's own code: export-stream.ts), the checkpoints and
// keys (pack-evidence.ts), README.md, verify.mjs, any extra files (the audit report), and
// MANIFEST.sha256 last, once events.jsonl has streamed through its hash. Creating a pack is an
// export, audited before any data leaves as audit_events_exported with format "evidence_pack".
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PassThrough, Readable, Transform } from 'node:stream';
import { ZipFile } from 'yazl';
import type { TroveConfig } from '../../../config/config.js';
import type { Db } from '../../../storage/db/database.js';
import { errors } from '../../errors.js';
import type { AuditLog } from '../audit-log.js';
import { filteredEvents, parseAuditFilters, type AuditFilters, type AuditView } from '../audit-query.js';
import type { AuditContext } from '../audit-types.js';
import { exportHeader, recordExport, type ExportRequest } from '../export/export-audit.js';
import { pinProofs } from '../export/export-proofs.js';
import { exportChunks } from '../export/export-stream.js';
import { jsonlFormat } from '../export/jsonl-format.js';
import { PACK_FILES } from './pack-layout.js';
import { formatManifest, sha256Hex } from './pack-manifest.js';
import { packCheckpoints, packKeys } from './pack-evidence.js';
import { packReadme } from './pack-readme.js';

/** A file the caller adds to the pack (the audit report: report.json, report.html). */
export interface ExtraPackFile {
  name: string;
  content: string | Buffer;
}

export interface EvidencePackRequest extends Omit<ExportRequest, 'format' | 'filters' | 'proofs'> {
  view: AuditView;
  /** Set when the caller may see only their own actions (as for an export). */
  onlyAuthorId?: number;
  from?: string;
  to?: string;
  /** Files another part adds (the audit report), made once the pack's bounds are fixed. */
  extraFiles?: (bounds: PackBounds) => Promise<ExtraPackFile[]>;
}

/** What the pack's events.jsonl holds: the period (both ends inclusive, as the export's) up to `throughId`. */
export interface PackBounds {
  from?: string;
  to?: string;
  throughId: number;
}

export interface EvidencePackDeps {
  db: Db;
  audit: AuditLog;
  config: Pick<TroveConfig, 'auditProofMaxEvents' | 'auditTrustedKeys' | 'auditKeyDir' | 'dataDir'>;
}

/** The export format as the pack's audit event names it; the records are JSONL's. */
const PACK_FORMAT = { ...jsonlFormat, name: 'evidence_pack', extension: 'zip', contentType: 'application/zip' };

let verifierScript: Promise<Buffer> | undefined;

/** verify.mjs, bundled by the build next to the compiled server (scripts/build.sh). */
function standaloneVerifier(): Promise<Buffer> {
  verifierScript ??= readFile(new URL('../../../audit-verifier/verify.mjs', import.meta.url)).catch((error: Error) => {
    verifierScript = undefined;
    throw new Error(`the evidence pack verifier was not built (npm run build): ${error.message}`);
  });
  return verifierScript;
}

const RESERVED = new Set<string>(Object.values(PACK_FILES));

function checkExtraFiles(files: readonly ExtraPackFile[]): void {
  for (const file of files) {
    if (RESERVED.has(file.name) || !/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(file.name)) {
      throw new Error(`evidence pack: cannot add a file named ${JSON.stringify(file.name)}`);
    }
  }
}

/** The first and last seq of the pack's records (null: none). */
async function seqRange(db: Db, view: AuditView, filters: AuditFilters): Promise<{ first: number; last: number } | null> {
  const row = await filteredEvents(db, view, filters)
    .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')])
    .executeTakeFirst();
  return row?.first == null || row.last == null ? null : { first: Number(row.first), last: Number(row.last) };
}

/**
 * Records the pack's audit event, then returns the zip as a stream and its file name. Errors
 * before the event (bad period, too large a log for proofs) throw; a failure while streaming
 * destroys the stream (the download is then visibly incomplete).
 */
export async function buildEvidencePack(deps: EvidencePackDeps, ctx: AuditContext, request: EvidencePackRequest): Promise<{ stream: Readable; fileName: string }> {
  const { createdAfter: from, createdBefore: to } = parseAuditFilters({ created_after: request.from, created_before: request.to });
  if (from && to && from > to) throw errors.badRequest('from must not be after to');
  const filters: AuditFilters = { createdAfter: from, createdBefore: to, onlyAuthorId: request.onlyAuthorId };
  const verifier = await standaloneVerifier();
  // Pinned before the pack's own event, as an export's: the proofs are against a checkpoint that exists now.
  const proofs = await pinProofs(deps.db, deps.config.auditProofMaxEvents);
  const exported: ExportRequest = { scope: request.scope, project: request.project, label: request.label, includeSubgroups: request.includeSubgroups, format: PACK_FORMAT, filters, proofs: true };
  const bounded = await recordExport(deps.db, deps.audit, ctx, exported);
  const extraFiles = request.extraFiles ? await request.extraFiles({ from, to, throughId: bounded.throughId ?? 0 }) : [];
  checkExtraFiles(extraFiles);
  const [checkpoints, keys] = await Promise.all([packCheckpoints(deps.db, proofs, await seqRange(deps.db, request.view, bounded)), packKeys(deps.config)]);
  const createdAt = new Date();
  const readme = packReadme({
    scope: request.label,
    from: from ?? null,
    to: to ?? null,
    createdAt: createdAt.toISOString(),
    createdBy: ctx.actor.username ?? ctx.actor.type,
    throughSeq: bounded.throughId ?? 0,
    checkpointSizes: checkpoints.sizes,
    pinnedByOperator: keys.pinnedByOperator,
    extraFiles: extraFiles.map((f) => f.name),
  });
  const small: ExtraPackFile[] = [
    { name: PACK_FILES.readme, content: readme },
    { name: PACK_FILES.verifier, content: verifier },
    { name: PACK_FILES.trustedKeys, content: keys.trusted },
    { name: PACK_FILES.keyRotations, content: keys.rotations },
    { name: PACK_FILES.checkpoints, content: checkpoints.text },
    { name: PACK_FILES.consistency, content: `${JSON.stringify(checkpoints.consistency, null, 1)}\n` },
    ...extraFiles,
  ];

  const zip = new ZipFile();
  const options = { mtime: createdAt, mode: 0o100644 };
  const manifest = small.map((file) => ({ name: file.name, sha256: sha256Hex(file.content) }));
  for (const file of small) zip.addBuffer(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, 'utf8'), file.name, options);

  const output = new PassThrough();
  const events = Readable.from(exportChunks(deps.db, request.view, bounded, jsonlFormat, undefined, proofs, exportHeader(exported, bounded)), { highWaterMark: 1 });
  const hash = createHash('sha256');
  const hashed = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const fail = (error: Error) => output.destroy(error);
  events.on('error', fail);
  hashed.on('error', fail);
  hashed.on('end', () => {
    manifest.push({ name: PACK_FILES.events, sha256: hash.digest('hex') });
    zip.addBuffer(Buffer.from(formatManifest(manifest.sort((a, b) => (a.name < b.name ? -1 : 1))), 'utf8'), PACK_FILES.manifest, options);
    zip.end();
  });
  zip.addReadStream(events.pipe(hashed), PACK_FILES.events, options);
  zip.outputStream.on('error', fail);
  zip.outputStream.pipe(output);

  const period = [from?.slice(0, 10), to?.slice(0, 10)].filter(Boolean).join('-to-');
  const fileName = `audit-evidence-pack-${request.label.replaceAll('/', '-')}${period ? `-${period}` : ''}.zip`;
  return { stream: output, fileName };
}
