import { createHash } from 'node:crypto';
import { packageChangeMarks } from '../../core/packages/format-reads.js';
import type { Db } from '../../storage/db/database.js';

// Rendered package documents, reused while the package is unchanged. Building a packument
// parses every version's stored manifest and serialises and hashes the result: for a package with
// hundreds of versions that was most of a GET's CPU (bench/, `node --cpu-prof`). The cache is
// checked against the database on every request (a few narrow columns of the same rows the
// document is built from), never trusted on its own: another Trove process on the same database
// (scale-out) may have written, and no write path has to remember to invalidate it.

export interface RenderedJson {
  text: string;
  etag: string;
}

export function renderJson(body: unknown): RenderedJson {
  const text = JSON.stringify(body);
  return { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` };
}

/**
 * Everything a packument depends on besides the manifests: every version's id, status and
 * updated_at (each write path of package-writer.ts sets updated_at when it changes a version's
 * metadata or status), the files' ids (a deleted tarball) and the tags. Read before the document
 * is loaded, so a write in between can only make the cached document newer than its fingerprint.
 */
export async function packumentFingerprint(db: Db, projectId: number, name: string): Promise<string> {
  const { versions, files, tags } = await packageChangeMarks(db, projectId, 'npm', name);
  return createHash('sha1').update(`v${versions}|f${files}|t${tags}`).digest('base64url');
}

/** Bounded by the size of the documents it holds (least recently used goes first). */
const MAX_CACHED_BYTES = 16 * 1024 * 1024;

export class PackumentCache {
  private readonly entries = new Map<string, { fingerprint: string; doc: RenderedJson }>();
  private bytes = 0;

  get(key: string, fingerprint: string): RenderedJson | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.fingerprint !== fingerprint) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.doc;
  }

  set(key: string, fingerprint: string, doc: RenderedJson): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.doc.text.length;
    }
    if (doc.text.length > MAX_CACHED_BYTES / 4) return;
    this.entries.set(key, { fingerprint, doc });
    this.bytes += doc.text.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= MAX_CACHED_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.doc.text.length;
    }
  }
}

// One cache per database handle: each app instance (tests build several in one process) has its own.
const caches = new WeakMap<Db, PackumentCache>();

export function packumentCacheOf(db: Db): PackumentCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new PackumentCache()));
  return cache;
}
