import { createHash } from 'node:crypto';
import { makeTarball, publishBody } from '../test/support/npm-publish-body.js';
import type { BenchServer } from './servers.js';

// The packages both servers are seeded with, byte for byte the same, published through the npm
// publish API (the JSON PUT `npm publish` sends).

export const ONE = 'bench-one';
export const MANY = 'bench-many';
export const BIG = 'bench-big';
export const TREE_SIZE = 20;
export const treeName = (i: number) => `bench-tree-${String(i).padStart(2, '0')}`;

/** Deterministic incompressible text (base64 of a SHA-256 chain): gzip cannot shrink the tarball much. */
function noise(bytes: number, seed: string): string {
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  for (let size = 0; size < bytes; size += block.length) {
    chunks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(chunks).toString('base64').slice(0, Math.ceil((bytes * 4) / 3));
}

export async function tarballFor(name: string, version: string, options: { dependencies?: Record<string, string>; padBytes?: number } = {}): Promise<Buffer> {
  const manifest = { name, version, main: 'index.js', ...(options.dependencies ? { dependencies: options.dependencies } : {}) };
  return makeTarball([
    { name: 'package/package.json', content: JSON.stringify(manifest) },
    { name: 'package/index.js', content: `module.exports = ${JSON.stringify(name)};\n` },
    ...(options.padBytes ? [{ name: 'package/data.txt', content: noise(options.padBytes, name) }] : []),
  ]);
}

export async function publishBodyFor(name: string, version: string, options: { dependencies?: Record<string, string>; padBytes?: number } = {}) {
  const tarball = await tarballFor(name, version, options);
  const manifest = options.dependencies ? { dependencies: options.dependencies } : {};
  return publishBody(name, version, tarball, { manifest });
}

type PublishBody = Awaited<ReturnType<typeof publishBodyFor>>;

/** The bytes of the PUT `npm publish` sends for this body to `registry`. */
export function publishRequestBytes(registry: string, name: string, body: PublishBody): Buffer {
  // npm sends dist.tarball (the registry's own URL); Verdaccio serves it as given, and npm
  // refuses a version without one.
  for (const [version, manifest] of Object.entries(body.versions)) {
    (manifest.dist as Record<string, string>).tarball = `${registry}${name}/-/${name}-${version}.tgz`;
  }
  return Buffer.from(JSON.stringify(body));
}

export const PUBLISH_HEADERS = { 'content-type': 'application/json', 'user-agent': 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false' };

/** PUTs one publish body; throws unless the registry accepted it. */
export async function publish(registry: string, token: string, name: string, body: PublishBody): Promise<void> {
  const res = await fetch(`${registry}${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, ...PUBLISH_HEADERS },
    body: new Uint8Array(publishRequestBytes(registry, name, body)),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`publish ${name} to ${registry}: ${res.status} ${text}`);
}

/** The children of tree package i: a binary tree of 20 packages, all installed from the root. */
export function treeDependencies(i: number): Record<string, string> {
  const deps: Record<string, string> = {};
  for (const child of [2 * i + 1, 2 * i + 2]) if (child < TREE_SIZE) deps[treeName(child)] = '^1.0.0';
  return deps;
}

/** Seeds one server: a 1-version package, a `manyVersions`-version one, a ~100 KB tarball, the tree. */
export async function seed(server: BenchServer, manyVersions: number): Promise<void> {
  const put = async (name: string, version: string, options?: Parameters<typeof publishBodyFor>[2]) =>
    publish(server.registry, server.token, name, await publishBodyFor(name, version, options));
  await put(ONE, '1.0.0');
  await put(BIG, '1.0.0', { padBytes: 100 * 1024 * 0.75 });
  for (let i = 0; i < TREE_SIZE; i++) await put(treeName(i), '1.0.0', { dependencies: treeDependencies(i) });
  for (let v = 0; v < manyVersions; v++) await put(MANY, `1.0.${v}`);
}
