import { createHash } from 'node:crypto';
import type { PackageFileRow, PackageRow } from '../../core/packages/packages.js';
import { indexLine, type IndexFields } from './cargo-metadata.js';

// The sparse index (https://doc.rust-lang.org/cargo/reference/registry-index.html): config.json
// says where downloads and the web API are, and one file per crate lists its versions, a JSON
// line each, yanked ones included (a lockfile may name them).

/** config.json of a project's index. `auth-required` makes cargo send its token on every index read and download. */
export function indexConfig(registryUrl: string, authRequired: boolean): string {
  return JSON.stringify({ dl: `${registryUrl}/api/v1/crates`, api: registryUrl, 'auth-required': authRequired });
}

/** Whether a version was yanked (PackageWriter.setYanked). */
export const isYanked = (pkg: PackageRow) => (JSON.parse(pkg.metadata) as { yanked?: unknown }).yanked === true;

/** A crate's index file: a line per version that has its .crate, in publication order. */
export function indexFile(versions: PackageRow[], files: PackageFileRow[]): string {
  const crateOf = new Map(files.filter((f) => f.metadata !== null).map((f) => [f.package_id, f]));
  const lines: string[] = [];
  for (const pkg of versions) {
    const file = crateOf.get(pkg.id);
    if (!file) continue;
    lines.push(`${indexLine(pkg.name, pkg.version, file.sha256, isYanked(pkg), JSON.parse(file.metadata!) as IndexFields)}\n`);
  }
  return lines.join('');
}

/** The strong ETag of a document, which cargo sends back as If-None-Match. */
export const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url')}"`;
