import { errors } from '../../core/errors.js';

// Maven's repository layout (https://maven.apache.org/repository/layout.html): a file lives at
// <groupId with dots as slashes>/<artifactId>/<version>/<artifactId>-<version>[-<classifier>].<ext>,
// each followed by checksum files, and maven-metadata.xml sits at the artifact (list of versions)
// and SNAPSHOT-version (list of timestamped builds) levels. A package is GitLab's: the name is the
// path form "com/example/app", the version its own segment.

const MAX_LENGTH = 255;
// groupId segments never hold dots (the client turned them into slashes).
const GROUP_SEGMENT = /^[A-Za-z0-9_-]+$/;
// artifactIds may (org.eclipse.jdt.core); never "..", never only dots.
const ARTIFACT_ID = /^(?!.*\.\.)(?!\.)[A-Za-z0-9_.-]+$/;
// GitLab's maven_version_regex: word characters, '+', '.', '-', never "..".
const VERSION = /^(?!.*\.\.)(?!\.)[A-Za-z0-9_+.-]+$/;
const FILE_NAME = /^(?!.*\.\.)(?!\.)[A-Za-z0-9_.+~-]+$/;

export const METADATA_FILE = 'maven-metadata.xml';
export const CHECKSUM_ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** The coordinates of a package: its groupId and artifactId, and GitLab's package name for them. */
export interface MavenArtifact {
  /** GitLab's package name: "com/example/app". */
  name: string;
  groupId: string;
  artifactId: string;
}

/** What a request path names. `checksum` is set when it asks for (or uploads) a checksum of that file. */
export type MavenPath =
  | (MavenArtifact & { kind: 'artifact-metadata'; checksum: ChecksumAlgorithm | null })
  | (MavenArtifact & { kind: 'file'; version: string; fileName: string; checksum: ChecksumAlgorithm | null });

export const isSnapshot = (version: string) => version.endsWith('-SNAPSHOT');

function invalid(what: string): never {
  throw errors.badRequest(`${what} is invalid`);
}

export function assertMavenVersion(version: string): string {
  if (version.length > MAX_LENGTH || !VERSION.test(version)) invalid('version');
  return version;
}

export function assertMavenFileName(fileName: string): string {
  if (fileName.length > MAX_LENGTH || !FILE_NAME.test(fileName)) invalid('file_name');
  return fileName;
}

/** groupId path segments and the artifactId: the coordinates, checked. */
function artifactOf(groupSegments: string[], artifactId: string): MavenArtifact {
  if (groupSegments.length === 0 || !groupSegments.every((s) => GROUP_SEGMENT.test(s))) invalid('groupId');
  if (!ARTIFACT_ID.test(artifactId)) invalid('artifactId');
  const name = [...groupSegments, artifactId].join('/');
  if (name.length > MAX_LENGTH) invalid('package name');
  return { name, groupId: groupSegments.join('.'), artifactId };
}

/** A package name in GitLab's path form ("com/example/app"), checked; its coordinates. */
export function parseMavenName(name: string): MavenArtifact {
  const segments = name.split('/');
  return artifactOf(segments.slice(0, -1), segments.at(-1) ?? '');
}

function splitChecksum(last: string): { base: string; checksum: ChecksumAlgorithm | null } {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    if (last.endsWith(`.${algorithm}`) && last.length > algorithm.length + 1) return { base: last.slice(0, -algorithm.length - 1), checksum: algorithm };
  }
  return { base: last, checksum: null };
}

/**
 * The request path below .../packages/maven/ (already URL-decoded), checked: no empty, "." or ".."
 * segment (absolute paths and traversal), coordinates and file name by Maven's rules, and a file
 * name that belongs to its artifact (<artifactId>-...). Anything else is a 400.
 */
export function parseMavenPath(path: string): MavenPath {
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) invalid('path');
  const { base, checksum } = splitChecksum(segments.at(-1)!);
  const fileName = assertMavenFileName(base);
  const dirs = segments.slice(0, -1);
  const versionDir = dirs.at(-1);
  // maven-metadata.xml in a SNAPSHOT version's folder lists its builds; anywhere else it is the artifact's.
  if (fileName === METADATA_FILE && !(versionDir !== undefined && isSnapshot(versionDir) && dirs.length >= 3)) {
    return { kind: 'artifact-metadata', checksum, ...artifactOf(dirs.slice(0, -1), dirs.at(-1) ?? '') };
  }
  if (dirs.length < 3) invalid('path');
  const artifact = artifactOf(dirs.slice(0, -2), dirs.at(-2)!);
  const version = assertMavenVersion(versionDir!);
  if (fileName !== METADATA_FILE && !fileName.startsWith(`${artifact.artifactId}-`)) invalid('file_name');
  return { kind: 'file', checksum, ...artifact, version, fileName };
}
