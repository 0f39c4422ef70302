import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Api } from './api.js';
import { isolatedContainersEnv, OCI_INDEX, OCI_MANIFEST, sha256Digest } from './oci-images.js';

// A test file's container workspace: images built with umoci, skopeo and podman run isolated
// (oci-images.ts isolatedContainersEnv), and images pushed over plain HTTP (pushSmallImage) for
// the cases that are about the API rather than a client.

const run = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class OciWorkspace {
  readonly layout: string;
  private readonly env: NodeJS.ProcessEnv;
  private built = 0;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'files'), { recursive: true, mode: 0o700 });
    this.layout = join(dir, 'images');
    this.env = isolatedContainersEnv(dir);
  }

  async command(program: string, args: string[]): Promise<CommandResult> {
    try {
      const { stdout, stderr } = await run(program, args, { env: this.env, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  private async must(program: string, args: string[]): Promise<string> {
    const result = await this.command(program, args);
    if (result.code !== 0) throw new Error(`${program} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  /** An image in the workspace's OCI layout with one layer per file; returns its `oci:` reference. */
  async image(tag: string, files: Record<string, string>, architecture = 'amd64'): Promise<string> {
    if (this.built++ === 0) await this.must('umoci', ['init', '--layout', this.layout]);
    const image = `${this.layout}:${tag}`;
    await this.must('umoci', ['new', '--image', image]);
    for (const [name, content] of Object.entries(files)) {
      const source = join(this.dir, 'files', `${tag}-${name}`);
      writeFileSync(source, content);
      await this.must('umoci', ['insert', '--image', image, source, `/${name}`]);
    }
    await this.must('umoci', ['config', '--image', image, '--architecture', architecture, '--config.cmd', `/${Object.keys(files)[0]}`]);
    return `oci:${image}`;
  }

  /** skopeo with the workspace's policy, over plain HTTP (`--tls-verify=false`). */
  skopeo(args: string[]): Promise<CommandResult> {
    return this.command('skopeo', ['--policy', join(this.dir, 'policy.json'), ...args]);
  }

  /** podman as root with its storage in the workspace (`--storage-driver vfs`: no overlay mounts needed). */
  podman(args: string[]): Promise<CommandResult> {
    const storage = ['--root', join(this.dir, 'storage'), '--runroot', join(this.dir, 'run', 'podman'), '--storage-driver', 'vfs', '--events-backend', 'file', '--cgroup-manager', 'cgroupfs'];
    return this.command('podman', [...storage, ...args]);
  }

  /** `skopeo copy` from `source` to `destination` with these credentials (USER:TOKEN) on whichever side is the registry; returns the manifest digest. */
  async copy(source: string, destination: string, creds: string, extra: string[] = []): Promise<CommandResult & { digest: string | null }> {
    const digestFile = join(this.dir, 'tmp', `digest-${Date.now()}-${Math.random()}`);
    const side = source.startsWith('docker://') ? ['--src-tls-verify=false', '--src-creds', creds] : [];
    if (destination.startsWith('docker://')) side.push('--dest-tls-verify=false', '--dest-creds', creds);
    const result = await this.skopeo(['copy', ...side, '--digestfile', digestFile, ...extra, source, destination]);
    let digest: string | null = null;
    try {
      digest = readFileSync(digestFile, 'utf8').trim();
    } catch {
      digest = null;
    }
    return { ...result, digest };
  }

  /** The layer digests of an image in an `oci:` layout (its manifest's layers). */
  layerDigests(reference: string): string[] {
    const [dir, tag] = reference.replace(/^oci:/, '').split(':') as [string, string];
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? index.manifests[0]!;
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs', ...entry.digest.split(':')), 'utf8')) as { layers: { digest: string }[] };
    return manifest.layers.map((l) => l.digest);
  }
}

/** The digest (`sha256:<hex>`) of bytes. */
export const ociDigest = sha256Digest;

/** A blob pushed with one monolithic POST ...?digest= (`api`'s credential may push); returns its descriptor. */
export async function pushBlob(api: Api, name: string, bytes: Buffer, mediaType = 'application/vnd.oci.image.layer.v1.tar'): Promise<OciDescriptor> {
  const digest = ociDigest(bytes);
  const res = await api.request('POST', `/v2/${name}/blobs/uploads/?digest=${digest}`, bytes, { 'content-type': 'application/octet-stream' });
  if (res.status !== 201) throw new Error(`blob push to ${name}: ${res.status} ${res.text}`);
  return { mediaType, digest, size: bytes.length };
}

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
}

/** An OCI image manifest over a config and layers already pushed; `extra` adds subject, artifactType, annotations. */
export function imageManifest(config: OciDescriptor, layers: OciDescriptor[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers, ...extra }));
}

export { OCI_INDEX, OCI_MANIFEST };

/** A small image pushed over HTTP: a config and one layer of `content`; returns the manifest's bytes and digest. */
export async function pushSmallImage(api: Api, name: string, reference: string | null, content: string, extra: Record<string, unknown> = {}): Promise<{ digest: string; bytes: Buffer; layer: OciDescriptor }> {
  const { digest, bytes, layer, res } = await tryPushSmallImage(api, name, reference, content, extra);
  if (res.status !== 201) throw new Error(`manifest push to ${name}: ${res.status} ${res.text}`);
  return { digest, bytes, layer };
}

/** pushSmallImage without the verdict on the manifest PUT: its response comes back (the blobs must be accepted). */
export async function tryPushSmallImage(api: Api, name: string, reference: string | null, content: string, extra: Record<string, unknown> = {}) {
  const config = await pushBlob(api, name, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', content })), 'application/vnd.oci.image.config.v1+json');
  const layer = await pushBlob(api, name, Buffer.from(`layer ${content}`));
  const bytes = imageManifest(config, [layer], extra);
  const digest = ociDigest(bytes);
  const res = await api.request('PUT', `/v2/${name}/manifests/${reference ?? digest}`, bytes, { 'content-type': OCI_MANIFEST });
  return { digest, bytes, layer, res };
}
