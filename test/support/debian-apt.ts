import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { tempDir } from './temp-dir.js';

// The real Debian tools against a Trove on 127.0.0.1: dpkg-deb builds a package, apt-get resolves,
// verifies and downloads it from Trove as an apt source (isolated from the machine's own apt
// configuration, keys, lists and status), dpkg installs it into a private root.

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ...env }, cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr });
    });
  });
}

export interface DebSpec {
  name: string;
  version: string;
  architecture?: string;
  /** Extra control lines ("Depends: other"). */
  control?: string;
  /** Files the package ships, by absolute path. */
  files?: Record<string, string>;
  /** dpkg-deb's compression of the archive members (xz by default, as Debian's). */
  compression?: 'xz' | 'gzip';
}

/** Builds the .deb with dpkg-deb --build and returns its path (named as dpkg-name would, the epoch left out). */
export async function buildDeb(spec: DebSpec, dir = tempDir('trove-deb-build-')): Promise<string> {
  const root = join(dir, `${spec.name}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  const architecture = spec.architecture ?? 'all';
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    `Architecture: ${architecture}`,
    'Maintainer: Trove Tests <tests@example.com>',
    ...(spec.control ? [spec.control] : []),
    `Description: ${spec.name} for Trove's tests`,
    ' Installed from a Trove Debian distribution.',
  ].join('\n');
  writeFileSync(join(root, 'DEBIAN', 'control'), `${control}\n`);
  for (const [path, content] of Object.entries(spec.files ?? { [`/usr/share/${spec.name}/hello.txt`]: `hello from ${spec.name} ${spec.version}\n` })) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const out = join(dir, `${spec.name}_${spec.version.replace(/^\d+:/, '')}_${architecture}.deb`);
  const built = await run('dpkg-deb', [`-Z${spec.compression ?? 'xz'}`, '--root-owner-group', '--build', root, out]);
  if (built.code !== 0) throw new Error(`dpkg-deb failed: ${built.stderr}`);
  return out;
}

/** An apt configuration of its own: sources, auth.conf, lists, cache and dpkg status in one folder. */
export class AptSandbox {
  readonly dir = tempDir('trove-apt-');
  readonly root = join(this.dir, 'root');

  constructor(
    readonly sourceLine: string,
    authConf: string,
    /** The architectures apt installs for, the first the native one. */
    readonly architectures: string[] = ['amd64'],
  ) {
    for (const sub of ['state/lists/partial', 'cache/archives/partial', 'log', 'etc/parts', 'root/var/lib/dpkg/info', 'root/var/lib/dpkg/updates']) mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'etc/sources.list'), `${sourceLine}\n`);
    writeFileSync(join(this.dir, 'etc/apt.conf'), '');
    writeFileSync(join(this.dir, 'etc/auth.conf'), authConf, { mode: 0o600 });
    writeFileSync(join(this.dir, 'state/status'), '');
    writeFileSync(join(this.dir, 'root/var/lib/dpkg/status'), '');
    writeFileSync(join(this.dir, 'root/var/lib/dpkg/available'), '');
  }

  private options(): string[] {
    const o = (setting: string) => ['-o', setting];
    return [
      ...o(`Dir::Etc::SourceList=${join(this.dir, 'etc/sources.list')}`),
      // Empty folders and absent files: none of the machine's sources, credentials, keys or pins.
      ...o(`Dir::Etc::SourceParts=${join(this.dir, 'etc/parts')}`),
      ...o(`Dir::Etc::netrc=${join(this.dir, 'etc/auth.conf')}`),
      ...o(`Dir::Etc::netrcparts=${join(this.dir, 'etc/parts')}`),
      ...o(`Dir::Etc::Trusted=${join(this.dir, 'etc/no-trusted.gpg')}`),
      ...o(`Dir::Etc::TrustedParts=${join(this.dir, 'etc/parts')}`),
      ...o(`Dir::Etc::Preferences=${join(this.dir, 'etc/no-preferences')}`),
      ...o(`Dir::Etc::PreferencesParts=${join(this.dir, 'etc/parts')}`),
      ...o(`Dir::State=${join(this.dir, 'state')}`),
      ...o(`Dir::State::status=${join(this.dir, 'state/status')}`),
      ...o(`Dir::Cache=${join(this.dir, 'cache')}`),
      ...o(`Dir::Log=${join(this.dir, 'log')}`),
      ...o('Debug::NoLocking=1'),
      ...o('APT::Sandbox::User=root'),
      ...o(`APT::Architecture=${this.architectures[0]}`),
      ...this.architectures.flatMap((architecture) => o(`APT::Architectures::=${architecture}`)),
      ...o('Acquire::Languages=none'),
      ...o('Acquire::Retries=0'),
      ...o('Acquire::http::Proxy=DIRECT'),
      ...o('APT::Get::List-Cleanup=0'),
    ];
  }

  apt(args: string[], cwd?: string): Promise<ToolResult> {
    return run('apt-get', [...this.options(), ...args], { APT_CONFIG: join(this.dir, 'etc/apt.conf'), DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' }, cwd);
  }

  /** apt-get source: downloads a source package's .dsc and files into `dir` and unpacks it there with dpkg-source. */
  source(name: string, dir: string): Promise<ToolResult> {
    return this.apt(['source', name], dir);
  }

  update(): Promise<ToolResult> {
    return this.apt(['update']);
  }

  /** apt-get install --download-only: resolves and downloads into the sandbox's cache; returns the downloaded .deb paths. */
  async download(names: string[]): Promise<{ result: ToolResult; debs: string[] }> {
    const result = await this.apt(['install', '--download-only', '--yes', '--no-install-recommends', ...names]);
    const archives = join(this.dir, 'cache/archives');
    return { result, debs: readdirSync(archives).filter((f) => f.endsWith('.deb')).map((f) => join(archives, f)) };
  }

  /** dpkg -i of downloaded packages into the sandbox's private root, as root of nothing but that folder. */
  installInRoot(debs: string[]): Promise<ToolResult> {
    return run('dpkg', [`--root=${this.root}`, `--admindir=${join(this.root, 'var/lib/dpkg')}`, '--log=/dev/null', '--force-not-root', '--force-bad-path', '--force-script-chrootless', '--no-triggers', '-i', ...debs]);
  }

  file(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  /** The lists apt stored (InRelease, Packages) after an update. */
  lists(): string[] {
    return readdirSync(join(this.dir, 'state/lists')).filter((f) => f !== 'partial' && f !== 'lock');
  }
}

/** auth.conf(5) for apt: machine [http://]host:port/path login password (apt uses it over plain http only when the entry says http://). */
export function aptAuthConf(baseUrl: string, path: string, token: string): string {
  return `machine ${baseUrl.replace(/^https:\/\//, '')}${path} login trove password ${token}\n`;
}

function arMember(name: string, data: Buffer): Buffer {
  const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, size: Buffer.byteLength(content) }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A .deb written byte by byte (ar, gzipped control and data archives), with any control text: for
 * the hostile packages dpkg-deb refuses to build. `controlMember` names the control archive member.
 */
export async function rawDeb(control: string, controlMember = 'control.tar.gz'): Promise<Buffer> {
  const controlTar = gzipSync(await tarOf({ './control': control }));
  return Buffer.concat([Buffer.from('!<arch>\n'), arMember('debian-binary', Buffer.from('2.0\n')), arMember(controlMember, controlTar), arMember('data.tar.gz', gzipSync(await tarOf({})))]);
}

/**
 * A .changes for binary packages, as dpkg-genchanges writes one (unsigned): each .deb with its size,
 * section and MD5, SHA1 and SHA256. `sha256Of` lets a test give a wrong checksum.
 */
export function changesFor(spec: { source: string; version: string; distribution: string; section?: string; debs: string[]; sha256Of?: (deb: string) => string }): string {
  const facts = spec.debs.map((path) => {
    const bytes = readFileSync(path);
    const digest = (algorithm: string) => createHash(algorithm).update(bytes).digest('hex');
    return { name: basename(path), size: bytes.length, md5: digest('md5'), sha1: digest('sha1'), sha256: spec.sha256Of?.(path) ?? digest('sha256') };
  });
  return [
    'Format: 1.8',
    'Date: Mon, 07 Dec 2026 04:00:00 +0000',
    `Source: ${spec.source}`,
    `Binary: ${spec.source}`,
    'Architecture: all',
    `Version: ${spec.version}`,
    `Distribution: ${spec.distribution}`,
    'Urgency: medium',
    'Maintainer: Trove Tests <tests@example.com>',
    `Description:\n ${spec.source} - Trove's tests`,
    `Changes:\n ${spec.source} (${spec.version}) ${spec.distribution}; urgency=medium\n .\n   * Uploaded with dput.`,
    'Checksums-Sha1:', ...facts.map((f) => ` ${f.sha1} ${f.size} ${f.name}`),
    'Checksums-Sha256:', ...facts.map((f) => ` ${f.sha256} ${f.size} ${f.name}`),
    'Files:', ...facts.map((f) => ` ${f.md5} ${f.size} ${spec.section ?? 'utils'} optional ${f.name}`),
    '',
  ].join('\n');
}

/**
 * dput's http method with a configuration of its own (dput -c): it PUTs each listed file, then the
 * .changes, to <incoming>/<file name>. On a 401 it asks for the password with Python's getpass;
 * without a controlling terminal (setsid) getpass reads it from stdin, which is how it is given here.
 */
export function dput(spec: { baseUrl: string; incoming: string; login: string; password: string; changes: string }): Promise<ToolResult> {
  const config = join(dirname(spec.changes), 'dput.cf');
  const host = new URL(spec.baseUrl).host;
  writeFileSync(config, `[trove]\nmethod = http\nfqdn = ${host}\nincoming = ${spec.incoming}\nlogin = ${spec.login}\nallow_unsigned_uploads = 1\n`);
  return new Promise((resolve) => {
    const child = spawn('dput', ['-c', config, '-u', 'trove', spec.changes], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(`${spec.password}\n`);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * A tiny real source package (3.0 quilt: an orig tarball and a debian/ folder) built with
 * `dpkg-buildpackage -S -us -uc` in a folder of its own: .dsc, .orig.tar.gz, .debian.tar.xz,
 * _source.buildinfo and _source.changes beside it. Returns the folder and the .changes path.
 */
export async function buildSourcePackage(spec: { name: string; upstream: string; revision: string; distribution: string; files: Record<string, string> }): Promise<{ dir: string; changes: string }> {
  const dir = tempDir(`trove-src-${spec.name}-`);
  const tree = join(dir, `${spec.name}-${spec.upstream}`);
  const version = `${spec.upstream}-${spec.revision}`;
  for (const [path, content] of Object.entries(spec.files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), content);
  }
  const tarred = await run('tar', ['-czf', `${spec.name}_${spec.upstream}.orig.tar.gz`, `${spec.name}-${spec.upstream}`], {}, dir);
  if (tarred.code !== 0) throw new Error(`tar failed: ${tarred.stderr}`);
  mkdirSync(join(tree, 'debian/source'), { recursive: true });
  const debian: Record<string, string> = {
    control: `Source: ${spec.name}\nSection: utils\nPriority: optional\nMaintainer: Trove Tests <tests@example.com>\nStandards-Version: 4.6.2\nRules-Requires-Root: no\n\nPackage: ${spec.name}\nArchitecture: all\nDescription: ${spec.name} for Trove's tests\n A source package.\n`,
    changelog: `${spec.name} (${version}) ${spec.distribution}; urgency=medium\n\n  * Uploaded with dput.\n\n -- Trove Tests <tests@example.com>  Mon, 07 Dec 2026 04:00:00 +0000\n`,
    rules: '#!/usr/bin/make -f\n%:\n\t@true\n',
    'source/format': '3.0 (quilt)\n',
  };
  for (const [path, content] of Object.entries(debian)) writeFileSync(join(tree, 'debian', path), content, { mode: path === 'rules' ? 0o755 : 0o644 });
  // -d: the build dependencies (debhelper and the like) need not be installed for a source-only build.
  const built = await run('dpkg-buildpackage', ['-S', '-us', '-uc', '-d'], { LC_ALL: 'C' }, tree);
  if (built.code !== 0) throw new Error(`dpkg-buildpackage failed: ${built.stdout}${built.stderr}`);
  return { dir, changes: join(dir, `${spec.name}_${version}_source.changes`) };
}

/** Clear-signs a file in place with a new key in a keyring of its own, as debsign signs a .changes. */
export async function clearSignInPlace(path: string): Promise<void> {
  const home = tempDir('trove-gpg-');
  const gpg = (args: string[]) => run('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args]);
  const key = await gpg(['--quick-gen-key', 'Trove Tests <tests@example.com>', 'ed25519', 'sign', 'never']);
  if (key.code !== 0) throw new Error(`gpg --quick-gen-key failed: ${key.stderr}`);
  const signed = await gpg(['--yes', '--clearsign', '--output', `${path}.asc`, path]);
  if (signed.code !== 0) throw new Error(`gpg --clearsign failed: ${signed.stderr}`);
  writeFileSync(path, readFileSync(`${path}.asc`));
}
