import type { PackageFileRow, PackageRow, PublishedBy } from '../../core/packages/packages.js';
import type { ProvenanceRow } from '../../core/packages/provenance.js';

// The Simple Repository API: PEP 503 HTML and PEP 691 JSON (api-version 1.1, PEP 700),
// chosen by the Accept header.

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';

export interface PypiFileMetadata {
  filetype: string;
  pyversion: string | null;
  requires_python: string | null;
}

export interface SimpleFile {
  pkg: PackageRow;
  file: PackageFileRow;
  /** Absolute download URL (Trove's base URL; pip reuses the index credentials for the same host). */
  url: string;
  /** PEP 740: where the file's provenance object is served, when it was uploaded with attestations. */
  provenanceUrl: string | null;
}

/** Picks the representation by the client's q-values; HTML when the client does not say. */
export function negotiate(accept: string | undefined): { type: string; json: boolean } {
  let best = { type: 'text/html', json: false, q: 0 };
  for (const part of (accept ?? 'text/html').split(',')) {
    const [mediaRange, ...params] = part.trim().split(';');
    const media = mediaRange.trim().toLowerCase();
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const candidate =
      media === SIMPLE_JSON || media === 'application/vnd.pypi.simple.latest+json'
        ? { type: SIMPLE_JSON, json: true }
        : media === SIMPLE_HTML || media === 'application/vnd.pypi.simple.latest+html'
          ? { type: SIMPLE_HTML, json: false }
          : media === 'text/html' || media === '*/*'
            ? { type: 'text/html', json: false }
            : null;
    if (candidate && q > best.q) best = { ...candidate, q };
  }
  return { type: best.type, json: best.json };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fileMetadata(file: PackageFileRow): PypiFileMetadata | null {
  return file.metadata ? (JSON.parse(file.metadata) as PypiFileMetadata) : null;
}

export function projectListHtml(names: string[]): string {
  const links = names.map((n) => `    <a href="${escapeHtml(encodeURIComponent(n))}/">${escapeHtml(n)}</a><br/>`).join('\n');
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Simple index</title>\n  </head>\n  <body>\n${links}\n  </body>\n</html>\n`;
}

export function projectListJson(names: string[]) {
  return { meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name })) };
}

export function projectPageHtml(name: string, files: SimpleFile[]): string {
  const links = files.map(({ file, url, provenanceUrl }) => {
    const requires = fileMetadata(file)?.requires_python;
    let attributes = requires ? ` data-requires-python="${escapeHtml(requires)}"` : '';
    if (provenanceUrl) attributes += ` data-provenance="${escapeHtml(provenanceUrl)}"`;
    return `    <a href="${escapeHtml(url)}#sha256=${file.sha256}"${attributes}>${escapeHtml(file.file_name)}</a><br/>`;
  });
  return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Links for ${escapeHtml(name)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(name)}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`;
}

export function projectPageJson(name: string, files: SimpleFile[]) {
  const versions = [...new Set(files.map((f) => f.pkg.version))];
  return {
    meta: { 'api-version': '1.1' },
    name,
    versions,
    files: files.map(({ file, url, provenanceUrl }) => ({
      filename: file.file_name,
      url,
      hashes: { sha256: file.sha256 },
      'requires-python': fileMetadata(file)?.requires_python ?? null,
      size: Number(file.size),
      'upload-time': file.created_at,
      yanked: false,
      provenance: provenanceUrl,
    })),
  };
}

/**
 * PEP 740's provenance object for one file: its attestations in one bundle, under the publisher
 * that uploaded them. PyPI names a trusted publisher by its kind ("GitHub", "GitLab") and claims;
 * Trove names the uploader as recorded in the file's `created_by`: an OIDC publisher by its issuer
 * and claims, any other actor by its type (`personal_access_token`, `job_token`, ...).
 */
export function provenanceObject(publishedBy: PublishedBy, rows: Array<Pick<ProvenanceRow, 'document'>>) {
  const actor = publishedBy.actor as PublishedBy['actor'] & { issuer?: unknown; claims?: unknown };
  const publisher = typeof actor.issuer === 'string' ? { kind: actor.issuer, claims: actor.claims ?? null } : { kind: actor.type, claims: null };
  return { version: 1, attestation_bundles: [{ publisher, attestations: rows.map((row) => JSON.parse(row.document) as unknown) }] };
}
