import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { controlLine } from './debian-control.js';
import type { DistributionFields } from './debian-distributions.js';
import { poolLetter } from './debian-names.js';

// The archive documents apt reads (Debian's repository format): a Packages index per component and
// architecture, and the Release file that names each index with its size and digests. They are made
// from the packages as they are, on each read; the same packages give the same bytes (the Date is
// the last change, see releaseDate), so Release and a Release.gpg fetched apart still agree.

/** What an index line needs of one stored .deb. */
export interface IndexedDeb {
  name: string;
  version: string;
  fileName: string;
  component: string;
  architecture: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  /** The control file's fields as uploaded, in their order. */
  control: Array<[string, string]>;
  /** In a group distribution's index, the project the file is in: its pool path names it (GitLab's group pool). */
  projectId?: number;
}

/** Fields the archive writes itself: a client's own value for them is dropped. */
const ARCHIVE_FIELDS = new Set(['filename', 'size', 'md5sum', 'sha1', 'sha256', 'sha512', 'description-md5']);

export function poolPath(codename: string, name: string, version: string, fileName: string, projectId?: number): string {
  return `pool/${codename}/${projectId === undefined ? '' : `${projectId}/`}${poolLetter(name)}/${name}/${version}/${fileName}`;
}

/** One paragraph of a Packages index: the control fields, then where the file is and its digests. */
export function packageStanza(codename: string, deb: IndexedDeb): string {
  const lines = deb.control.filter(([name]) => !ARCHIVE_FIELDS.has(name.toLowerCase())).map(([name, value]) => controlLine(name, value));
  const has = (field: string) => deb.control.some(([name]) => name.toLowerCase() === field);
  if (!has('section')) lines.push(controlLine('Section', 'misc'));
  if (!has('priority')) lines.push(controlLine('Priority', 'optional'));
  lines.push(
    controlLine('Filename', poolPath(codename, deb.name, deb.version, deb.fileName, deb.projectId)),
    controlLine('Size', String(deb.size)),
    controlLine('MD5sum', deb.md5),
    controlLine('SHA1', deb.sha1),
    controlLine('SHA256', deb.sha256),
  );
  return lines.join('');
}

/** The Packages index of one component and architecture: its packages in upload order, paragraphs apart. */
export function packagesIndex(codename: string, debs: IndexedDeb[], component: string, architecture: string): string {
  return debs
    .filter((deb) => deb.component === component && deb.architecture === architecture)
    .map((deb) => packageStanza(codename, deb))
    .join('\n');
}

/** A Packages index's path under dists/<distribution>/, with `.gz` or not. */
export const indexPath = (component: string, architecture: string, gz = false) => `${component}/binary-${architecture}/Packages${gz ? '.gz' : ''}`;

/**
 * Every index file a Release lists, by its path: Packages and Packages.gz of each component and
 * architecture. gzip output carries no time or name (Node writes mtime 0), so it too is the same
 * for the same packages.
 */
export function indexFiles(distribution: DistributionFields, debs: IndexedDeb[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const component of distribution.components) {
    for (const architecture of distribution.architectures) {
      const text = Buffer.from(packagesIndex(distribution.codename, debs, component, architecture), 'utf8');
      files.set(indexPath(component, architecture), text);
      files.set(indexPath(component, architecture, true), gzipSync(text, { level: 9 }));
    }
  }
  return files;
}

/** RFC 2822 as Release files write it: "Mon, 07 Dec 2026 03:31:07 UTC". */
export function releaseDateText(date: Date): string {
  return date.toUTCString().replace(/GMT$/, 'UTC');
}

const HOUR_MS = 3600_000;

/**
 * The Release file's Date: the last change of the distribution or its packages, and at least the
 * start of the current hour, so that a Valid-Until (at least a day after Date) never lapses while
 * nothing changes, and the same state within an hour gives the same Release.
 */
export function releaseDate(lastChange: string[], now: Date): Date {
  const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const changed = lastChange.map((at) => Date.parse(at)).filter((ms) => Number.isFinite(ms) && ms <= now.getTime());
  return new Date(Math.floor(Math.max(hour, ...changed) / 1000) * 1000);
}

function digestSection(title: string, algorithm: 'md5' | 'sha256', files: Map<string, Buffer>): string {
  const width = Math.max(...[...files.values()].map((bytes) => String(bytes.length).length), 1);
  const lines = [...files].map(([path, bytes]) => ` ${createHash(algorithm).update(bytes).digest('hex')} ${String(bytes.length).padStart(width)} ${path}`);
  return `${title}:\n${lines.join('\n')}\n`;
}

/** The Release file of a distribution over these index files. */
export function releaseText(distribution: DistributionFields, files: Map<string, Buffer>, date: Date): string {
  const field = (name: string, value: string | null | undefined) => (value ? controlLine(name, value) : '');
  return [
    field('Origin', distribution.origin),
    field('Label', distribution.label),
    field('Suite', distribution.suite),
    field('Version', distribution.version),
    field('Codename', distribution.codename),
    field('Date', releaseDateText(date)),
    distribution.valid_time_duration_seconds ? field('Valid-Until', releaseDateText(new Date(date.getTime() + distribution.valid_time_duration_seconds * 1000))) : '',
    field('Architectures', distribution.architectures.join(' ')),
    field('Components', distribution.components.join(' ')),
    field('Description', distribution.description),
    digestSection('MD5Sum', 'md5', files),
    digestSection('SHA256', 'sha256', files),
  ].join('');
}
