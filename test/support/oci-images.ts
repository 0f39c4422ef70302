import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Container images built offline with umoci, and skopeo isolated from the machine's auth files,
// policy and registries.conf (the recipe of shared/CLIENTS.md, "OCI clients"). One workspace per
// test file; every command runs with the workspace's HOME, XDG_RUNTIME_DIR and TMPDIR.

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
    for (const sub of ['home', 'run', 'tmp', 'files']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}');
    writeFileSync(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
    this.layout = join(dir, 'images');
    this.env = {
      PATH: process.env.PATH,
      HOME: join(dir, 'home'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      TMPDIR: join(dir, 'tmp'),
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    };
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
