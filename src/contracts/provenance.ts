import Type, { type Static } from 'typebox';
import { Nullable } from './common.js';

// Provenance documents stored with package files (docs/api.md#provenance): npm's Sigstore bundles
// and PEP 740 attestations, described by their SHA-256 and their in-toto statement.

export const ProvenanceKind = Type.Union([Type.Literal('sigstore_bundle'), Type.Literal('pep740_attestation')]);

/** A statement subject: the artifact's name (npm: a purl; PyPI: the file name) and its digests (hex). */
export const ProvenanceSubject = Type.Object({ name: Type.String(), digest: Type.Record(Type.String(), Type.String()) });

/** What a publish or file-added audit event records of each document (`details.provenance`). */
export const ProvenanceRecord = Type.Object({
  file_name: Type.String(),
  kind: ProvenanceKind,
  /** SHA-256 (hex) of the document as stored and served. */
  sha256: Type.String(),
  predicate_type: Type.String(),
  subjects: Type.Array(ProvenanceSubject),
});
export type ProvenanceRecord = Static<typeof ProvenanceRecord>;

/** A file's provenance document in the package_files listing, with where the format's clients fetch it. */
export const FileProvenance = Type.Object({
  kind: ProvenanceKind,
  sha256: Type.String(),
  predicate_type: Type.String(),
  subjects: Type.Array(ProvenanceSubject),
  /** The npm attestations document or the PEP 740 provenance object that serves it (null while the version is deleted). */
  url: Nullable(Type.String()),
  created_at: Type.String(),
});
export type FileProvenance = Static<typeof FileProvenance>;
