import { createHash } from 'node:crypto';
import type { PackageFileRow, PackageRow, PackageTagRow } from '../../core/packages/packages.js';

// Packument documents as the npm registry serves them: the full document, and the
// abbreviated "corgi" document for Accept: application/vnd.npm.install-v1+json.

export const ABBREVIATED_MEDIA_TYPE = 'application/vnd.npm.install-v1+json';

const ABBREVIATED_FIELDS = [
  'name', 'version', 'deprecated', 'dependencies', 'optionalDependencies', 'devDependencies', 'bundleDependencies',
  'bundledDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'directories', 'dist', 'engines', 'cpu', 'os',
  'libc', 'funding', 'license', '_hasShrinkwrap', 'hasInstallScript', 'acceptDependencies',
];

export interface NpmPackageVersions {
  name: string;
  versions: PackageRow[];
  fileOf: Map<number, PackageFileRow>;
  tags: PackageTagRow[];
  /** Absolute URL of the project's npm endpoint, ending in "/packages/npm". */
  registryUrl: string;
  /** Versions published with a provenance bundle: package id → the statement's predicate type. */
  provenanceOf: Map<number, string>;
}

/**
 * registry.npmjs.org serves a readme of at most 65536 characters, cut there (npm/newww#397,
 * npm/registry-issue-archive#68: "there's probably no way we'll ever put an unbounded readme into
 * the json metadata from a package, since that is downloaded every time somebody fetches package
 * metadata"). Trove cuts at the same length, never inside a surrogate pair; the tarball keeps the
 * whole README.
 */
export const README_MAX_CHARS = 65_536;

export function truncatedReadme(readme: string): string {
  if (readme.length <= README_MAX_CHARS) return readme;
  const last = readme.charCodeAt(README_MAX_CHARS - 1);
  return readme.slice(0, last >= 0xd800 && last <= 0xdbff ? README_MAX_CHARS - 1 : README_MAX_CHARS);
}

export function tarballUrl(registryUrl: string, name: string, fileName: string): string {
  return `${registryUrl}/${name}/-/${fileName}`;
}

/**
 * Where npm finds a version's provenance (`dist.attestations.url`), as registry.npmjs.org names
 * it: `/-/npm/v1/attestations/<name>@<version>`, a scoped name's slash as %2f.
 */
export function attestationsUrl(registryUrl: string, name: string, version: string): string {
  return `${registryUrl}/-/npm/v1/attestations/${name.replace('/', '%2f')}@${version}`;
}

/** A version's manifest as served: the published manifest with dist pointing at Trove. */
export function versionDocument(pkg: PackageRow, file: PackageFileRow | undefined, registryUrl: string, predicateType?: string): Record<string, unknown> {
  const manifest = JSON.parse(pkg.metadata) as Record<string, unknown>;
  // Versions stored before readmes were cut on publish (npm-publish.ts) may still hold a long one.
  if (typeof manifest.readme === 'string') manifest.readme = truncatedReadme(manifest.readme);
  const dist = { ...((manifest.dist as Record<string, unknown> | undefined) ?? {}) };
  if (file) {
    dist.tarball = tarballUrl(registryUrl, pkg.name, file.file_name);
    dist.shasum = file.sha1;
    dist.integrity = `sha512-${Buffer.from(file.sha512, 'hex').toString('base64')}`;
  }
  // Only Trove says where provenance is: a manifest cannot point clients at attestations it never published.
  delete dist.attestations;
  if (predicateType) dist.attestations = { url: attestationsUrl(registryUrl, pkg.name, pkg.version), provenance: { predicateType } };
  return { ...manifest, _id: `${pkg.name}@${pkg.version}`, name: pkg.name, version: pkg.version, dist };
}

export function distTags(view: NpmPackageVersions): Record<string, string> {
  const byId = new Map(view.versions.map((v) => [v.id, v.version]));
  const tags: Record<string, string> = {};
  for (const tag of view.tags) {
    const version = byId.get(tag.package_id);
    if (version) tags[tag.tag] = version;
  }
  return tags;
}

function timeField(view: NpmPackageVersions): Record<string, string> {
  const time: Record<string, string> = {};
  const created = view.versions.map((v) => v.created_at).sort();
  const modified = view.versions.map((v) => v.updated_at).sort();
  if (created.length) time.created = created[0];
  if (modified.length) time.modified = modified[modified.length - 1];
  for (const v of view.versions) time[v.version] = v.created_at;
  return time;
}

export function fullPackument(view: NpmPackageVersions): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const v of view.versions) versions[v.version] = versionDocument(v, view.fileOf.get(v.id), view.registryUrl, view.provenanceOf.get(v.id));
  const tags = distTags(view);
  const latest = tags.latest ? (versions[tags.latest] as Record<string, unknown>) : undefined;
  return {
    _id: view.name,
    _rev: revision(view),
    name: view.name,
    description: latest?.description,
    'dist-tags': tags,
    versions,
    time: timeField(view),
    readme: latest?.readme ?? '',
  };
}

export function abbreviatedPackument(view: NpmPackageVersions): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const v of view.versions) {
    const doc = versionDocument(v, view.fileOf.get(v.id), view.registryUrl, view.provenanceOf.get(v.id));
    const short: Record<string, unknown> = {};
    for (const field of ABBREVIATED_FIELDS) if (doc[field] !== undefined) short[field] = doc[field];
    versions[v.version] = short;
  }
  const time = timeField(view);
  // pnpm re-fetches the full document when `time` is missing, so the abbreviated one keeps it.
  return { name: view.name, modified: time.modified, 'dist-tags': distTags(view), versions, time };
}

/** A revision string that changes whenever any version, tag or deprecation changes (npm sends it back on unpublish). */
export function revision(view: NpmPackageVersions): string {
  const hash = createHash('sha1');
  for (const v of view.versions) hash.update(`${v.id}:${v.updated_at};`);
  for (const t of view.tags) hash.update(`${t.tag}:${t.package_id};`);
  return `${view.versions.length}-${hash.digest('hex').slice(0, 16)}`;
}
