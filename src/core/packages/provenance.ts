import { createHash } from 'node:crypto';
import type { FileProvenance, ProvenanceRecord } from '../../contracts/provenance.js';
import type { Db } from '../../storage/db/database.js';
import type { PackageFileProvenanceTable } from '../../storage/db/schema.js';
import { errors } from '../errors.js';

// Provenance documents published with a package file (docs/api.md#provenance): npm's Sigstore
// bundle and PEP 740 attestations. Both wrap an in-toto Statement whose subject names the file by
// its digest. Trove checks the structure and that the subject is the uploaded file; it cannot check
// the signature offline (that needs Sigstore's trust roots and transparency log), so it stores what
// was given and serves it for clients and auditors to verify.

export type ProvenanceKind = 'sigstore_bundle' | 'pep740_attestation';

export interface ProvenanceSubject {
  name: string;
  digest: Record<string, string>;
}

/** A checked document, ready to store beside its file. */
export interface ProvenanceDocument {
  kind: ProvenanceKind;
  mediaType: string | null;
  /** The JSON text as stored and served. */
  text: string;
  sha256: string;
  predicateType: string;
  subjects: ProvenanceSubject[];
}

/** What the publish event records of each document (details.provenance). */
export type ProvenanceRef = ProvenanceRecord;

export type ProvenanceRow = Omit<PackageFileProvenanceTable, 'id'> & { id: number };

/** Each document's limit: real bundles are 5-15 KB (a certificate chain and a transparency log entry). */
export const PROVENANCE_MAX_BYTES = 64 * 1024;
/** At most this many attestations per file (PyPI: a publish attestation and a SLSA provenance, typically). */
export const PROVENANCE_MAX_PER_FILE = 4;

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENT_TYPES = ['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1'];
const SIGSTORE_BUNDLE_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[1-9])?\+json(;version=0\.[1-9])?$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(what: string, message: string): never {
  throw errors.badRequest(`Invalid ${what}: ${message}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function parseJson(what: string, text: string): unknown {
  if (Buffer.byteLength(text) > PROVENANCE_MAX_BYTES) {
    throw errors.payloadTooLarge(`The ${what} is ${Buffer.byteLength(text)} bytes, over the limit of ${PROVENANCE_MAX_BYTES} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return refuse(what, 'not JSON');
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** The in-toto Statement carried base64-encoded in a DSSE envelope or a PEP 740 envelope. */
function decodeStatement(what: string, encoded: unknown): { predicateType: string; subjects: ProvenanceSubject[] } {
  if (!nonEmptyString(encoded) || !BASE64.test(encoded)) refuse(what, 'the statement is not base64');
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    refuse(what, 'the statement is not JSON');
  }
  if (!isObject(statement) || !IN_TOTO_STATEMENT_TYPES.includes(statement._type as string)) refuse(what, 'the payload is not an in-toto Statement');
  if (!nonEmptyString(statement.predicateType)) refuse(what, 'the statement has no predicateType');
  if (!Array.isArray(statement.subject) || statement.subject.length === 0) refuse(what, 'the statement has no subject');
  const subjects = statement.subject.map((s: unknown): ProvenanceSubject => {
    if (!isObject(s) || typeof s.name !== 'string' || !isObject(s.digest)) refuse(what, 'a subject has no name or digest');
    const digest = Object.fromEntries(Object.entries(s.digest).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return { name: s.name, digest };
  });
  return { predicateType: statement.predicateType, subjects };
}

/** Refuses the document unless one subject names the uploaded file by its name and one of its digests. */
function assertSubjectIsFile(what: string, subjects: ProvenanceSubject[], file: { name: string; sha256: string; sha512: string }): void {
  const matches = (s: ProvenanceSubject) =>
    s.name === file.name && (s.digest.sha512?.toLowerCase() === file.sha512 || s.digest.sha256?.toLowerCase() === file.sha256);
  if (subjects.some(matches)) return;
  const named = subjects.some((s) => s.name === file.name);
  refuse(what, named ? `the statement's subject digest does not match ${file.name}` : `the statement's subject is not ${file.name}`);
}

/** The subject name npm gives a package version (npm-package-arg toPurl): `pkg:npm/%40scope/name@1.0.0`. */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
}

/**
 * npm's `<name>-<version>.sigstore` attachment (libnpmpublish: the bundle as JSON text, its
 * mediaType as content_type): a Sigstore bundle whose DSSE envelope carries an in-toto Statement
 * about the tarball (subject `pkg:npm/...`, digest sha512).
 */
export function checkSigstoreBundle(text: string, file: { name: string; sha256: string; sha512: string }): ProvenanceDocument {
  const what = 'provenance bundle';
  const bundle = parseJson(what, text);
  if (!isObject(bundle)) refuse(what, 'not a JSON object');
  if (typeof bundle.mediaType !== 'string' || !SIGSTORE_BUNDLE_MEDIA_TYPE.test(bundle.mediaType)) refuse(what, 'mediaType is not a Sigstore bundle');
  if (!isObject(bundle.verificationMaterial)) refuse(what, 'no verificationMaterial');
  const envelope = bundle.dsseEnvelope;
  if (!isObject(envelope)) refuse(what, 'no dsseEnvelope');
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) refuse(what, `dsseEnvelope.payloadType is not ${IN_TOTO_PAYLOAD_TYPE}`);
  if (!Array.isArray(envelope.signatures) || envelope.signatures.length === 0 || !envelope.signatures.every((s) => isObject(s) && nonEmptyString(s.sig))) {
    refuse(what, 'dsseEnvelope has no signature');
  }
  const { predicateType, subjects } = decodeStatement(what, envelope.payload);
  assertSubjectIsFile(what, subjects, file);
  return { kind: 'sigstore_bundle', mediaType: bundle.mediaType, text, sha256: sha256Hex(text), predicateType, subjects };
}

/**
 * The `attestations` field of a PyPI upload (PEP 740, as twine sends it): a JSON array of
 * attestation objects, each with verification_material (certificate, transparency entries) and
 * an envelope whose statement is about the distribution (subject name = file name, digest sha256).
 */
export function checkPep740Attestations(field: string, file: { name: string; sha256: string; sha512: string }): ProvenanceDocument[] {
  const what = 'attestations';
  if (Buffer.byteLength(field) > PROVENANCE_MAX_BYTES * PROVENANCE_MAX_PER_FILE) {
    throw errors.payloadTooLarge(`The attestations are ${Buffer.byteLength(field)} bytes, over the limit of ${PROVENANCE_MAX_BYTES * PROVENANCE_MAX_PER_FILE} bytes`);
  }
  let list: unknown;
  try {
    list = JSON.parse(field);
  } catch {
    refuse(what, 'not JSON');
  }
  if (!Array.isArray(list) || list.length === 0) refuse(what, 'expected a JSON array of attestation objects');
  if (list.length > PROVENANCE_MAX_PER_FILE) refuse(what, `at most ${PROVENANCE_MAX_PER_FILE} attestations per file`);
  return list.map((attestation: unknown) => {
    const text = JSON.stringify(attestation);
    if (Buffer.byteLength(text) > PROVENANCE_MAX_BYTES) throw errors.payloadTooLarge(`An attestation is over the limit of ${PROVENANCE_MAX_BYTES} bytes`);
    if (!isObject(attestation) || attestation.version !== 1) refuse(what, 'an attestation is not a version 1 attestation object');
    const material = attestation.verification_material;
    if (!isObject(material) || !nonEmptyString(material.certificate) || !Array.isArray(material.transparency_entries) || material.transparency_entries.length === 0) {
      refuse(what, 'an attestation has no verification_material (certificate and transparency_entries)');
    }
    const envelope = attestation.envelope;
    if (!isObject(envelope) || !nonEmptyString(envelope.signature)) refuse(what, 'an attestation has no envelope signature');
    const { predicateType, subjects } = decodeStatement(what, envelope.statement);
    assertSubjectIsFile(what, subjects, file);
    return { kind: 'pep740_attestation' as const, mediaType: null, text, sha256: sha256Hex(text), predicateType, subjects };
  });
}

export function provenanceRef(fileName: string, doc: ProvenanceDocument): ProvenanceRef {
  return { file_name: fileName, kind: doc.kind, sha256: doc.sha256, predicate_type: doc.predicateType, subjects: doc.subjects };
}

/** The documents of these files, oldest first, grouped by file id. */
export async function provenanceOfFiles(db: Db, fileIds: number[], kind?: ProvenanceKind): Promise<Map<number, ProvenanceRow[]>> {
  const byFile = new Map<number, ProvenanceRow[]>();
  if (fileIds.length === 0) return byFile;
  let query = db.selectFrom('package_file_provenance').selectAll().where('package_file_id', 'in', fileIds);
  if (kind) query = query.where('kind', '=', kind);
  for (const row of await query.orderBy('id').execute()) {
    const list = byFile.get(row.package_file_id) ?? [];
    list.push(row);
    byFile.set(row.package_file_id, list);
  }
  return byFile;
}

/** A stored document as the package_files listing shows it; `url` is where the format serves it. */
export function fileProvenanceToApi(row: ProvenanceRow, url: string | null): FileProvenance {
  return {
    kind: row.kind as ProvenanceKind,
    sha256: row.sha256,
    predicate_type: row.predicate_type,
    subjects: JSON.parse(row.subjects) as ProvenanceSubject[],
    url,
    created_at: row.created_at,
  };
}
