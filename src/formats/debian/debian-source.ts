import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion } from '../../core/packages/packages.js';
import type { StoredBlob } from '../../storage/blobs/blob-store.js';
import type { AppContext } from '../../http/app-context.js';
import { readSmallBody } from '../format-upload.js';
import { parseBuildinfo } from './debian-buildinfo.js';
import { componentOf, mismatchOf, type Changes, type ChangesFile } from './debian-changes.js';
import type { DistributionRow } from './debian-distributions.js';
import { parseDsc, type Dsc } from './debian-dsc.js';
import { assertComponent, assertDebianName, assertDebianVersion } from './debian-names.js';
import type { PublishItem } from './debian-publish.js';
import { checkComponent } from './debian-upload.js';

// The files of a .changes that are not .debs: a source package (its .dsc and the tarballs the .dsc
// lists) and build records (.buildinfo). As GitLab does, they all go to the version of the source
// package the .changes names (Source, Version), whose .dsc the Sources index lists. Everything is
// checked before the write: the .dsc and .buildinfo must be of that source version, and the .dsc's
// files and the .changes' must be the same files with the same sizes and checksums.

/** What the package file row keeps of a source upload's file; `fields` (the .dsc's) make its Sources entry. */
export interface SourceFileMetadata {
  distribution: string;
  component: string;
  kind: 'dsc' | 'source' | 'buildinfo';
  fields?: Array<[string, string]>;
}

/** A listed file found in incoming with matching checksums. */
export interface ReceivedFile {
  listed: ChangesFile;
  blob: StoredBlob;
}

// A .dsc or .buildinfo is a few kilobytes (a .buildinfo lists the build's installed packages).
const MAX_CONTROL_BYTES = 1024 * 1024;

async function textOf(ctx: AppContext, file: ReceivedFile): Promise<string> {
  if (file.blob.size > MAX_CONTROL_BYTES) throw errors.badRequest(`${file.listed.name} is larger than ${MAX_CONTROL_BYTES} bytes`);
  return (await readSmallBody(await ctx.blobs.open(file.blob.sha256, { size: file.blob.size }), MAX_CONTROL_BYTES)).toString('utf8');
}

/** The .dsc of the upload, checked against the .changes and the files received; null when the upload has none. */
async function dscOf(ctx: AppContext, changes: Changes, received: ReceivedFile[]): Promise<{ file: ReceivedFile; dsc: Dsc } | null> {
  const dscFiles = received.filter((file) => file.listed.name.endsWith('.dsc'));
  if (dscFiles.length > 1) throw errors.badRequest('The .changes file lists more than one .dsc');
  const parts = received.filter((file) => !file.listed.name.endsWith('.dsc') && !file.listed.name.endsWith('.buildinfo'));
  if (dscFiles.length === 0) {
    if (parts.length > 0) throw errors.badRequest(`${parts[0].listed.name} is a source file, but the .changes file lists no .dsc`);
    return null;
  }
  const file = dscFiles[0];
  const dsc = parseDsc(await textOf(ctx, file));
  if (dsc.source !== changes.source || dsc.version !== changes.version) {
    throw errors.badRequest(`${file.listed.name} is ${dsc.source} ${dsc.version}, the .changes file's source is ${changes.source} ${changes.version}`);
  }
  for (const listed of dsc.files) {
    const part = parts.find((candidate) => candidate.listed.name === listed.name);
    // An upload without the orig tarball (dpkg-genchanges -sd) would need it from another version: refused.
    if (!part) throw errors.badRequest(`${listed.name} is listed in ${file.listed.name} but not in the .changes file`);
    const mismatch = mismatchOf(listed, part.blob);
    if (mismatch) throw errors.badRequest(`${listed.name}: its ${mismatch} is not the one ${file.listed.name} gives`);
  }
  const extra = parts.find((part) => !dsc.files.some((listed) => listed.name === part.listed.name));
  if (extra) throw errors.badRequest(`${extra.listed.name} is listed in the .changes file but not in ${file.listed.name}`);
  return { file, dsc };
}

/**
 * The source version's files of a .changes (its non-.deb files), checked, ready to be written
 * with the .debs: into the existing version of the source package (refused, as GitLab does, when
 * it already has a file of that name or a .dsc in that distribution) or a new one.
 */
export async function prepareSourceFiles(ctx: AppContext, project: Project, distribution: DistributionRow, changes: Changes, received: ReceivedFile[]): Promise<PublishItem[]> {
  if (received.length === 0) return [];
  const name = assertDebianName(changes.source);
  const version = assertDebianVersion(changes.version);
  const source = await dscOf(ctx, changes, received);
  for (const file of received.filter((candidate) => candidate.listed.name.endsWith('.buildinfo'))) {
    const buildinfo = parseBuildinfo(await textOf(ctx, file));
    if (buildinfo.source !== name) throw errors.badRequest(`${file.listed.name} is a build of ${buildinfo.source}, the .changes file's source is ${name}`);
  }

  const existing = await findPackageVersion(ctx.db, project.id, 'debian', name, version);
  if (existing) {
    const files = await filesOf(ctx.db, [existing.id]);
    const clash = files.find((file) => {
      const other = JSON.parse(file.metadata ?? '{}') as Partial<SourceFileMetadata>;
      return received.some((one) => one.listed.name === file.file_name) || (source !== null && other.kind === 'dsc' && other.distribution === distribution.codename);
    });
    if (clash) throw errors.forbidden(`Duplicate package file is not allowed: ${name} ${version} already has ${clash.file_name}`);
  }
  return received.map((file) => {
    const component = assertComponent(componentOf(file.listed));
    checkComponent(distribution, component);
    const kind = file === source?.file ? 'dsc' : file.listed.name.endsWith('.buildinfo') ? 'buildinfo' : 'source';
    const metadata: SourceFileMetadata = { distribution: distribution.codename, component, kind, ...(kind === 'dsc' ? { fields: source!.dsc.fields } : {}) };
    return { name, version, description: '', existing, file: { fileName: file.listed.name, blob: file.blob, metadata } };
  });
}
