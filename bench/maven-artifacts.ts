import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { versionPath, type Coordinates } from '../test/support/maven.js';

// The Maven artifacts of the benchmark: a dependency tree of small jars with their poms, laid out
// as a Maven repository folder (for nginx) or PUT to Trove's Maven API, byte for byte the same.

export const TREE_GROUP = 'bench.m';
export const TREE_VERSION = '1.0';
export const treeArtifact = (i: number) => `a${i}`;

/** Artifact i of an n-artifact tree depends on 3i+1..3i+3: every artifact is reachable from a0. */
export const treeChildren = (i: number, size: number) => [3 * i + 1, 3 * i + 2, 3 * i + 3].filter((child) => child < size);

export interface RepositoryFile {
  /** Path inside the repository, e.g. `bench/m/a0/1.0/a0-1.0.pom`. */
  path: string;
  bytes: Buffer;
}

const xmlDependency = (groupId: string, artifactId: string, version: string) =>
  `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>\n`;

/** A pom of `coordinates` (packaging jar unless given) with the given dependencies and extra elements. */
export function pom(coordinates: Coordinates & { packaging?: string }, dependencies: string[] = [], extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${coordinates.groupId}</groupId>
  <artifactId>${coordinates.artifactId}</artifactId>
  <version>${coordinates.version}</version>
  <packaging>${coordinates.packaging ?? 'jar'}</packaging>
${extra}  <dependencies>
${dependencies.join('')}  </dependencies>
</project>
`;
}

function zipEntry(name: string, data: Buffer, offset: number): { local: Buffer; central: Buffer } {
  const nameBytes = Buffer.from(name);
  const fields = (header: Buffer, at: number) => {
    header.writeUInt16LE(0, at); // flags
    header.writeUInt16LE(0, at + 2); // stored
    header.writeUInt16LE(0, at + 4); // time
    header.writeUInt16LE(0x21, at + 6); // 1980-01-01
    header.writeUInt32LE(crc32(data), at + 8);
    header.writeUInt32LE(data.length, at + 12);
    header.writeUInt32LE(data.length, at + 16);
    header.writeUInt16LE(nameBytes.length, at + 20);
  };
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  fields(local, 6);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  fields(central, 8);
  central.writeUInt32LE(offset, 42);
  return { local: Buffer.concat([local, nameBytes, data]), central: Buffer.concat([central, nameBytes]) };
}

/** A jar (an uncompressed zip) holding a manifest and the given files. */
export function jar(files: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\n\r\n', ...files })) {
    const entry = zipEntry(name, Buffer.from(content), offset);
    locals.push(entry.local);
    centrals.push(entry.central);
    offset += entry.local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Deterministic filler for a jar: a few KB that differ per artifact. */
const filler = (seed: string, bytes: number) => {
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  for (let size = 0; size < bytes; size += block.length) chunks.push((block = createHash('sha256').update(block).digest()));
  return Buffer.concat(chunks).subarray(0, bytes);
};

/** The pom and jar of every artifact of an n-artifact tree (no checksums). */
export function treeFiles(size: number): RepositoryFile[] {
  const files: RepositoryFile[] = [];
  for (let i = 0; i < size; i++) {
    const artifactId = treeArtifact(i);
    const coordinates = { groupId: TREE_GROUP, artifactId, version: TREE_VERSION };
    const dependencies = treeChildren(i, size).map((child) => xmlDependency(TREE_GROUP, treeArtifact(child), TREE_VERSION));
    const folder = versionPath(coordinates);
    files.push({ path: `${folder}/${artifactId}-${TREE_VERSION}.pom`, bytes: Buffer.from(pom(coordinates, dependencies)) });
    files.push({ path: `${folder}/${artifactId}-${TREE_VERSION}.jar`, bytes: jar({ [`bench/m/${artifactId}.bin`]: filler(artifactId, 4096) }) });
  }
  return files;
}

/** The `.sha1` and `.md5` files Maven deploys next to each file (lowercase hex, as mvn writes them). */
export const checksumFiles = (file: RepositoryFile): RepositoryFile[] =>
  (['sha1', 'md5'] as const).map((algorithm) => ({ path: `${file.path}.${algorithm}`, bytes: Buffer.from(createHash(algorithm).update(file.bytes).digest('hex')) }));

/** Writes the files and their checksums under `root` as a Maven repository folder. */
export function writeRepositoryFolder(root: string, files: RepositoryFile[]): void {
  for (const file of files.flatMap((f) => [f, ...checksumFiles(f)])) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.bytes);
  }
}

/** PUTs the files and then their checksums to a Maven repository URL (ending in '/'), as `mvn deploy` does. */
export async function uploadToRepository(repository: string, headers: Record<string, string>, files: RepositoryFile[]): Promise<void> {
  for (const file of files.flatMap((f) => [f, ...checksumFiles(f)])) {
    const res = await fetch(`${repository}${file.path}`, { method: 'PUT', headers, body: new Uint8Array(file.bytes) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`PUT ${repository}${file.path}: HTTP ${res.status}`);
  }
}

/** The paths of the tree's jars in a repository: what a resolve of a0 must have fetched. */
export const treeJarPaths = (size: number) => Array.from({ length: size }, (_, i) => `${versionPath({ groupId: TREE_GROUP, artifactId: treeArtifact(i), version: TREE_VERSION })}/${treeArtifact(i)}-${TREE_VERSION}.jar`);

/** A consumer project depending on a0 of the tree (none when `size` is 0), resolving from `repository`. */
export function consumerPom(size: number, repositoryId: string, repository: string): string {
  const dependencies = size > 0 ? [xmlDependency(TREE_GROUP, treeArtifact(0), TREE_VERSION)] : [];
  const repositories = `  <repositories><repository><id>${repositoryId}</id><url>${repository}</url></repository></repositories>\n`;
  return pom({ groupId: 'bench.consumer', artifactId: 'consumer', version: '1.0', packaging: 'pom' }, dependencies, repositories);
}

/**
 * A reactor of `modules` modules (packaging pom) at `version`, each a deployable artifact, whose
 * distributionManagement is `repository`: one `mvn deploy` deploys them all.
 */
export function writeReactor(dir: string, modules: number, version: string, repositoryId: string, repository: string): void {
  const names = Array.from({ length: modules }, (_, i) => `m${i}`);
  const distribution = `  <distributionManagement><repository><id>${repositoryId}</id><url>${repository}</url></repository></distributionManagement>\n`;
  const moduleList = `  <modules>\n${names.map((name) => `    <module>${name}</module>\n`).join('')}  </modules>\n`;
  writeFileSync(join(dir, 'pom.xml'), pom({ groupId: 'bench.deploy', artifactId: 'parent', version, packaging: 'pom' }, [], distribution + moduleList));
  const parent = `  <parent><groupId>bench.deploy</groupId><artifactId>parent</artifactId><version>${version}</version></parent>\n`;
  for (const name of names) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'pom.xml'), pom({ groupId: 'bench.deploy', artifactId: name, version, packaging: 'pom' }, [], parent));
  }
}
