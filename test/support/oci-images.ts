import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientResult } from './npm-client.js';
import { run } from './python-client.js';
import { tempDir, withTempDir } from './temp-dir.js';

// Container images for the registry tests and the containers benchmark row, built offline with
// Debian's umoci into an `oci:` layout (no daemon, no storage driver), read back from that layout,
// and copied to and from a registry with skopeo, isolated as ../shared/CLIENTS.md describes: its
// own policy.json, registries.conf, HOME, XDG_RUNTIME_DIR, TMPDIR and auth file in a temp folder,
// so that nothing of this machine's containers configuration or credentials takes part.

export const UMOCI = '/usr/bin/umoci';
export const SKOPEO = '/usr/bin/skopeo';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

export interface Platform {
  os: string;
  architecture: string;
}

export const sha256Digest = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * `size` bytes that depend only on `seed`: AES-256-CTR over zeros, keyed by the seed. They do not
 * compress, so a layer of N bytes is N bytes on the wire, as real binaries nearly are.
 */
export function seededBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(`key:${seed}`).digest();
  const iv = createHash('sha256').update(`iv:${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(size));
}

async function umoci(args: string[]): Promise<void> {
  // --rootless: umoci would otherwise want to chown the files it writes, which needs root.
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  const [command, ...rest] = args;
  const result = await run(UMOCI, [command, ...(command === 'insert' ? rootless : []), ...rest], { cwd: '/', env: process.env });
  if (result.code !== 0) throw new Error(`umoci ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
}

export interface ImageSpec {
  /** Size in bytes of each layer's one file (a layer per entry). */
  layers: number[];
  /** What the layers' contents derive from: the same seed gives the same files. */
  seed: string;
  platform?: Platform;
}

/**
 * Builds an image as `<layout>:<tag>` with umoci (the layout is created when missing): one layer
 * per entry of `spec.layers`, each a file /layer-<i>.bin of that size. Returns what the layout holds.
 */
export async function buildImage(layout: string, tag: string, spec: ImageSpec): Promise<LayoutImage> {
  if (!existsSync(join(layout, 'oci-layout'))) await umoci(['init', '--layout', layout]);
  await umoci(['new', '--image', `${layout}:${tag}`]);
  await withTempDir('trove-oci-layer-', async (files) => {
    for (const [index, size] of spec.layers.entries()) {
      const file = join(files, `layer-${index}.bin`);
      writeFileSync(file, seededBytes(`${spec.seed}/${index}`, size));
      await umoci(['insert', '--image', `${layout}:${tag}`, file, `/layer-${index}.bin`]);
    }
  });
  if (spec.platform) {
    await umoci(['config', '--image', `${layout}:${tag}`, '--os', spec.platform.os, '--architecture', spec.platform.architecture]);
  }
  return readLayoutImage(layout, tag);
}

interface LayoutIndex {
  schemaVersion: 2;
  manifests: Descriptor[];
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const blobPath = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':'));

/** The bytes of a blob of the layout. */
export const readBlob = (layout: string, digest: string): Buffer => readFileSync(blobPath(layout, digest));

export interface LayoutImage {
  /** Digest of the manifest (or index) the tag names. */
  digest: string;
  mediaType: string;
  /** Its exact bytes, as a registry must serve them back. */
  bytes: Buffer;
  /** An image: its config digest and layer digests, in order. An index: none. */
  config?: string;
  layers: string[];
  /** An index: the images it lists. */
  manifests: Descriptor[];
}

/** What `<layout>:<tag>` names: the manifest or index, its config and layer digests. */
export function readLayoutImage(layout: string, tag: string): LayoutImage {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as LayoutIndex;
  const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!entry) throw new Error(`${layout} has no tag ${tag}`);
  const bytes = readBlob(layout, entry.digest);
  const document = JSON.parse(bytes.toString('utf8')) as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  return {
    digest: entry.digest,
    mediaType: entry.mediaType,
    bytes,
    config: document.config?.digest,
    layers: (document.layers ?? []).map((l) => l.digest),
    manifests: document.manifests ?? [],
  };
}

/**
 * A multi-platform image as `<layout>:<tag>`: one image per platform (built as `<tag>-<os>-<arch>`)
 * and an OCI index listing them with their platforms, written into the layout as umoci would.
 */
export async function buildMultiPlatformIndex(layout: string, tag: string, spec: Omit<ImageSpec, 'platform'>, platforms: Platform[]): Promise<LayoutImage> {
  const images: Descriptor[] = [];
  for (const platform of platforms) {
    const image = await buildImage(layout, `${tag}-${platform.os}-${platform.architecture}`, { ...spec, seed: `${spec.seed}/${platform.architecture}`, platform });
    images.push({ mediaType: OCI_MANIFEST, digest: image.digest, size: image.bytes.length, platform });
  }
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: images }));
  const digest = sha256Digest(bytes);
  writeFileSync(blobPath(layout, digest), bytes);
  const indexFile = join(layout, 'index.json');
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as LayoutIndex;
  index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
  index.manifests.push({ mediaType: OCI_INDEX, digest, size: bytes.length, annotations: { [REF_NAME]: tag } });
  writeFileSync(indexFile, JSON.stringify(index));
  return readLayoutImage(layout, tag);
}

/**
 * Prepares `dir` so that skopeo and podman see only what is in it (a policy accepting anything, no
 * search registries, an auth file, HOME, XDG_RUNTIME_DIR and TMPDIR: CLIENTS.md's recipe), never
 * the machine's; the environment to run them with. `policy.json` is in `dir` (pass `--policy`).
 */
export function isolatedContainersEnv(dir: string): NodeJS.ProcessEnv {
  writeFileSync(join(dir, 'policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}');
  writeFileSync(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
  writeFileSync(join(dir, 'auth.json'), '{}');
  for (const sub of ['home', 'run', 'tmp']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  return {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    TMPDIR: join(dir, 'tmp'),
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
  };
}

/** Registry credentials as skopeo takes them: a username and a personal access or deploy token. */
export interface RegistryCredentials {
  username: string;
  token: string;
}

/**
 * skopeo in a temp folder of its own. Every registry command gets `--tls-verify=false` (the
 * registries of the tests speak plain HTTP on 127.0.0.1) and the credentials, if any.
 */
export class Skopeo {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly credentials: RegistryCredentials | undefined,
  ) {}

  static create(credentials?: RegistryCredentials): Skopeo {
    const dir = tempDir('trove-skopeo-');
    return new Skopeo(dir, isolatedContainersEnv(dir), credentials);
  }

  private creds(flag: string): string[] {
    return this.credentials ? [flag, `${this.credentials.username}:${this.credentials.token}`] : [];
  }

  /** `skopeo --policy <own> <args>`; the result whatever the exit code. */
  run(args: string[]): Promise<ClientResult> {
    return run(SKOPEO, ['--policy', join(this.dir, 'policy.json'), ...args], { cwd: this.dir, env: this.env, timeout: 600_000 });
  }

  private async ok(args: string[]): Promise<string> {
    const result = await this.run(args);
    if (result.code !== 0) throw new Error(`skopeo ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  /** Pushes `oci:<layout>:<tag>` (`--all`: an index with every image) to `docker://<host>/<reference>`; the pushed manifest's digest. */
  async push(layout: string, tag: string, host: string, reference: string, options: { all?: boolean } = {}): Promise<string> {
    const digestFile = join(this.dir, 'tmp', 'pushed-digest');
    const all = options.all ? ['--all'] : [];
    await this.ok(['copy', ...all, '--dest-tls-verify=false', ...this.creds('--dest-creds'), '--digestfile', digestFile, `oci:${layout}:${tag}`, `docker://${host}/${reference}`]);
    return readFileSync(digestFile, 'utf8').trim();
  }

  /** Pulls `docker://<host>/<reference>` into `oci:<layout>:<tag>`. */
  async pull(host: string, reference: string, layout: string, tag: string, options: { all?: boolean } = {}): Promise<LayoutImage> {
    const all = options.all ? ['--all'] : [];
    await this.ok(['copy', ...all, '--src-tls-verify=false', ...this.creds('--src-creds'), `docker://${host}/${reference}`, `oci:${layout}:${tag}`]);
    return readLayoutImage(layout, tag);
  }

  /** `skopeo list-tags`: the repository's tags. */
  async listTags(host: string, repository: string): Promise<string[]> {
    const out = await this.ok(['list-tags', '--tls-verify=false', ...this.creds('--creds'), `docker://${host}/${repository}`]);
    return (JSON.parse(out) as { Tags: string[] }).Tags;
  }

  /** `skopeo delete`: deletes the manifest the reference names (and so every tag of it). */
  async delete(host: string, reference: string): Promise<void> {
    await this.ok(['delete', '--tls-verify=false', ...this.creds('--creds'), `docker://${host}/${reference}`]);
  }
}
