import { isSnapshot, type MavenArtifact } from './maven-names.js';

// The maven-metadata.xml documents Maven reads (https://maven.apache.org/ref/3.8.7/maven-repository-metadata/):
// at the artifact level the versions (for LATEST, RELEASE and version ranges), at a SNAPSHOT
// version's level its timestamped builds (which build "1.0-SNAPSHOT" means). Trove computes both
// from what it holds rather than serving what clients upload: a deleted version or build disappears
// from them at once, every build still stored is listed, and a group or instance read lists the
// versions of every project the caller may read, not whichever project uploaded a document last.
// (The SNAPSHOT document a client uploads is still stored with the version and its replacement
// audited: it is what the deployer sent.)

export interface ListedVersion {
  version: string;
  /** When the version was last changed (ISO 8601): the newest is <lastUpdated>. */
  updatedAt: string;
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Maven's timestamp form, yyyyMMddHHmmss in UTC. */
function mavenTimestamp(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The document for these versions, oldest first (the order Maven appends them in). <latest> is the
 * newest version, <release> the newest that is not a SNAPSHOT. The same versions always give the
 * same bytes, so a checksum fetched after the document matches it.
 */
export function artifactMetadataXml(artifact: MavenArtifact, versions: ListedVersion[]): string {
  const unique = [...new Map(versions.map((v) => [v.version, v])).values()];
  const latest = unique.at(-1);
  const release = unique.filter((v) => !isSnapshot(v.version)).at(-1);
  const lastUpdated = unique.map((v) => v.updatedAt).sort().at(-1);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<metadata>',
    `  <groupId>${escapeXml(artifact.groupId)}</groupId>`,
    `  <artifactId>${escapeXml(artifact.artifactId)}</artifactId>`,
    '  <versioning>',
    ...(latest ? [`    <latest>${escapeXml(latest.version)}</latest>`] : []),
    ...(release ? [`    <release>${escapeXml(release.version)}</release>`] : []),
    '    <versions>',
    ...unique.map((v) => `      <version>${escapeXml(v.version)}</version>`),
    '    </versions>',
    ...(lastUpdated ? [`    <lastUpdated>${mavenTimestamp(lastUpdated)}</lastUpdated>`] : []),
    '  </versioning>',
    '</metadata>',
    '',
  ];
  return lines.join('\n');
}

/** One timestamped build file of a SNAPSHOT version: a-1.0-20261206.143000-2-sources.jar. */
interface SnapshotBuild {
  /** "1.0-20261206.143000-2": what Maven resolves 1.0-SNAPSHOT to. */
  value: string;
  timestamp: string;
  buildNumber: number;
  classifier: string | null;
  extension: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The build a file name stands for, or null for files that are not timestamped builds (metadata, a-1.0-SNAPSHOT.jar). */
function buildOf(artifactId: string, version: string, fileName: string): SnapshotBuild | null {
  const base = version.slice(0, -'-SNAPSHOT'.length);
  const pattern = new RegExp(`^${escapeRegExp(artifactId)}-${escapeRegExp(base)}-(\\d{8}\\.\\d{6})-(\\d+)(?:-([^.]+))?\\.(.+)$`);
  const match = pattern.exec(fileName);
  if (!match) return null;
  const [, timestamp, buildNumber, classifier, extension] = match;
  return { value: `${base}-${timestamp}-${buildNumber}`, timestamp: timestamp!, buildNumber: Number(buildNumber), classifier: classifier ?? null, extension: extension! };
}

/**
 * The SNAPSHOT version's document: <snapshot> names the newest build (mvn numbers the next deploy
 * from its buildNumber), <snapshotVersions> lists every stored build file newest first. Maven's
 * resolver takes, per classifier and extension, the entry with the newest <updated>, and keeps the
 * first on a tie: newest first makes that the newest build too.
 */
export function snapshotMetadataXml(artifact: MavenArtifact, version: string, fileNames: string[]): string {
  const builds = fileNames
    .map((fileName) => buildOf(artifact.artifactId, version, fileName))
    .filter((build): build is SnapshotBuild => build !== null)
    .sort((a, b) => b.buildNumber - a.buildNumber || b.timestamp.localeCompare(a.timestamp) || a.extension.localeCompare(b.extension) || (a.classifier ?? '').localeCompare(b.classifier ?? ''));
  const newest = builds[0];
  const updated = (build: SnapshotBuild) => build.timestamp.replace('.', '');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<metadata modelVersion="1.1.0">',
    `  <groupId>${escapeXml(artifact.groupId)}</groupId>`,
    `  <artifactId>${escapeXml(artifact.artifactId)}</artifactId>`,
    `  <version>${escapeXml(version)}</version>`,
    '  <versioning>',
    ...(newest ? ['    <snapshot>', `      <timestamp>${newest.timestamp}</timestamp>`, `      <buildNumber>${newest.buildNumber}</buildNumber>`, '    </snapshot>'] : []),
    ...(newest ? [`    <lastUpdated>${updated(newest)}</lastUpdated>`] : []),
    '    <snapshotVersions>',
    ...builds.flatMap((build) => [
      '      <snapshotVersion>',
      ...(build.classifier ? [`        <classifier>${escapeXml(build.classifier)}</classifier>`] : []),
      `        <extension>${escapeXml(build.extension)}</extension>`,
      `        <value>${escapeXml(build.value)}</value>`,
      `        <updated>${updated(build)}</updated>`,
      '      </snapshotVersion>',
    ]),
    '    </snapshotVersions>',
    '  </versioning>',
    '</metadata>',
    '',
  ];
  return lines.join('\n');
}
