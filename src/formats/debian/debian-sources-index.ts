import { gzipSync } from 'node:zlib';
import type { FileWithPackage } from '../../core/packages/packages.js';
import { controlLine } from './debian-control.js';
import type { DistributionFields, DistributionRow } from './debian-distributions.js';
import { poolLetter } from './debian-names.js';
import type { SourceFileMetadata } from './debian-source.js';

// The Sources index of a component (Debian's repository format), what apt-get source reads: one
// paragraph per source package, made of its .dsc's fields with Source written as Package, the
// .dsc itself added to the file lists (with the digests of the stored file, never the client's),
// and the pool Directory where the .dsc and the files it lists are served.

/** What a Sources paragraph needs of one stored .dsc. */
export interface IndexedDsc {
  name: string;
  version: string;
  fileName: string;
  component: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  fields: Array<[string, string]>;
}

/** Fields the archive writes itself: the .dsc's own value is dropped (the file lists are written again with the .dsc in them). */
const ARCHIVE_FIELDS = new Set(['package', 'source', 'directory', 'files', 'checksums-sha1', 'checksums-sha256', 'checksums-sha512']);

export const sourcesPath = (component: string, gz = false) => `${component}/source/Sources${gz ? '.gz' : ''}`;

/** A file list field: the .dsc's line first, then the lines the .dsc gives (continuation lines, as written). */
function fileList(dsc: IndexedDsc, field: string, digest: string): string {
  const listed = dsc.fields.find(([name]) => name.toLowerCase() === field.toLowerCase())?.[1] ?? '';
  const lines = [` ${digest} ${dsc.size} ${dsc.fileName}`, ...listed.split('\n').filter((line) => line.trim() !== '')];
  return `${field}:\n${lines.join('\n')}\n`;
}

/** One paragraph of a Sources index. */
export function sourceStanza(codename: string, dsc: IndexedDsc): string {
  const has = (field: string) => dsc.fields.some(([name]) => name.toLowerCase() === field);
  const lines = [controlLine('Package', dsc.name), ...dsc.fields.filter(([name]) => !ARCHIVE_FIELDS.has(name.toLowerCase())).map(([name, value]) => controlLine(name, value))];
  if (!has('section')) lines.push(controlLine('Section', 'misc'));
  if (!has('priority')) lines.push(controlLine('Priority', 'optional'));
  lines.push(
    fileList(dsc, 'Files', dsc.md5),
    fileList(dsc, 'Checksums-Sha1', dsc.sha1),
    fileList(dsc, 'Checksums-Sha256', dsc.sha256),
    controlLine('Directory', `pool/${codename}/${poolLetter(dsc.name)}/${dsc.name}/${dsc.version}`),
  );
  return lines.join('');
}

/** Sources and Sources.gz of each component, by their path under dists/<distribution>/ (gzip without time or name: the same bytes for the same packages). */
export function sourcesIndexFiles(distribution: DistributionFields, dscs: IndexedDsc[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const component of distribution.components) {
    const text = Buffer.from(dscs.filter((dsc) => dsc.component === component).map((dsc) => sourceStanza(distribution.codename, dsc)).join('\n'), 'utf8');
    files.set(sourcesPath(component), text);
    files.set(sourcesPath(component, true), gzipSync(text, { level: 9 }));
  }
  return files;
}

/** The .dsc files among a project's Debian files (as visibleFilesOfFormat lists them) published to this distribution. */
export function dscsIn(entries: FileWithPackage[], distribution: DistributionRow): IndexedDsc[] {
  const dscs: IndexedDsc[] = [];
  for (const { file, pkg } of entries) {
    let metadata: Partial<SourceFileMetadata> | null;
    try {
      metadata = JSON.parse(file.metadata ?? 'null') as Partial<SourceFileMetadata> | null;
    } catch {
      continue;
    }
    if (metadata?.kind !== 'dsc' || metadata.distribution !== distribution.codename || !Array.isArray(metadata.fields)) continue;
    dscs.push({ name: pkg.name, version: pkg.version, fileName: file.file_name, component: metadata.component ?? 'main', size: file.size, md5: file.md5, sha1: file.sha1, sha256: file.sha256, fields: metadata.fields });
  }
  return dscs;
}
