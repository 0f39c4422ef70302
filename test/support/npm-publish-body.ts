import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

// Builds npm publish requests by hand, for the cases real clients refuse to send
// (duplicates, forged integrity, manifest confusion, hostile tarballs).

export interface TarEntry {
  name: string;
  content?: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

export async function makeTarball(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    // A fixed mtime keeps tarballs byte-identical across builds (tests compare digests of rebuilt ones).
    if (type === 'file') pack.entry({ name: entry.name, type, mtime: FIXED_MTIME }, entry.content ?? '');
    else pack.entry({ name: entry.name, type, linkname: entry.linkname, mtime: FIXED_MTIME });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export async function packageTarball(name: string, version: string, extra: TarEntry[] = []): Promise<Buffer> {
  return makeTarball([
    { name: 'package/package.json', content: JSON.stringify({ name, version, main: 'index.js' }) },
    { name: 'package/index.js', content: 'module.exports = 1;\n' },
    ...extra,
  ]);
}

export function integrityOf(tarball: Buffer): { integrity: string; shasum: string } {
  return {
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    shasum: createHash('sha1').update(tarball).digest('hex'),
  };
}

/** The JSON body `npm publish` sends for one version. */
export function publishBody(name: string, version: string, tarball: Buffer, overrides: { dist?: object; manifest?: object } = {}) {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return {
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: {
      [version]: { name, version, main: 'index.js', dist: { ...integrityOf(tarball), ...overrides.dist }, ...overrides.manifest },
    },
    _attachments: {
      [`${base}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length },
    },
  };
}
