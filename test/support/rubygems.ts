import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { ClientResult } from './npm-client.js';
import { run } from './python-client.js';
import { tempDir } from './trove-process.js';

// Drives Debian's real gem (RubyGems 3.3, Ruby 3.1) and bundler against Trove, each run with a
// fresh HOME and GEM_HOME and none of this machine's GEM_*, BUNDLE_* or RUBY* variables, so that
// no ~/.gemrc, credentials file or cached spec is read. Also builds .gem files in JavaScript, for
// the pushes a real `gem build` refuses to make (hostile names, broken archives).

export const GEM = '/usr/bin/gem';
export const RUBY = '/usr/bin/ruby';
export const BUNDLE = '/usr/bin/bundle';

/** A fresh HOME and GEM_HOME, and the environment every gem, ruby and bundle run gets. */
export class GemHome {
  private constructor(readonly home: string) {}

  static create(): GemHome {
    return new GemHome(tempDir('trove-gem-home-'));
  }

  get gemHome(): string {
    return join(this.home, 'gems');
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      const upper = name.toUpperCase();
      if (upper.startsWith('GEM_') || upper.startsWith('BUNDLE') || upper.startsWith('RUBY') || upper.startsWith('XDG_')) continue;
      env[name] = value;
    }
    return { ...env, HOME: this.home, GEM_HOME: this.gemHome, GEM_PATH: this.gemHome, GEM_SPEC_CACHE: join(this.home, 'specs'), ...extra };
  }

  gem(args: string[], cwd = this.home, extra: Record<string, string> = {}): Promise<ClientResult> {
    return run(GEM, args, { cwd, env: this.env(extra) });
  }

  ruby(args: string[], cwd = this.home): Promise<ClientResult> {
    return run(RUBY, args, { cwd, env: this.env() });
  }

  bundle(args: string[], cwd: string): Promise<ClientResult> {
    return run(BUNDLE, args, { cwd, env: this.env({ BUNDLE_PATH: join(this.home, 'bundle'), BUNDLE_USER_HOME: join(this.home, '.bundle') }) });
  }
}

/** The --source of a project: credentials in the URL, which gem sends as Basic with every request. */
export function gemSource(baseUrl: string, projectId: number, token: string): string {
  return `${baseUrl.replace('://', `://token:${token}@`)}/api/v4/projects/${projectId}/packages/rubygems/`;
}

/** The --host of `gem push` for a project. */
export function gemHost(baseUrl: string, projectId: number): string {
  return `${baseUrl}/api/v4/projects/${projectId}/packages/rubygems`;
}

export interface GemSource {
  name: string;
  version: string;
  /** Runtime dependencies: name → requirement ("~> 0.1"). */
  dependencies?: Record<string, string>;
  /** The body of lib/<name>.rb. */
  code?: string;
  /** A platform gem ("x86_64-linux"); none: a pure Ruby gem. */
  platform?: string;
}

/** Writes a gem's sources (gemspec and lib/<name>.rb) and runs the real `gem build`: the .gem's path. */
export async function buildGem(source: GemSource, home: GemHome = GemHome.create()): Promise<string> {
  const dir = tempDir('trove-gem-src-');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', `${source.name}.rb`), source.code ?? `module ${camel(source.name)}\n  def self.hello = "${source.name} ${source.version}"\nend\n`);
  const dependencies = Object.entries(source.dependencies ?? {}).map(([name, requirement]) => `  s.add_runtime_dependency ${JSON.stringify(name)}, ${JSON.stringify(requirement)}\n`);
  writeFileSync(
    join(dir, `${source.name}.gemspec`),
    `Gem::Specification.new do |s|\n  s.name = ${JSON.stringify(source.name)}\n  s.version = ${JSON.stringify(source.version)}\n  s.summary = "Test gem ${source.name}"\n` +
      `  s.authors = ["Trove tests"]\n  s.license = "MIT"\n  s.files = ["lib/${source.name}.rb"]\n  s.required_ruby_version = ">= 2.7"\n${source.platform ? `  s.platform = ${JSON.stringify(source.platform)}\n` : ''}${dependencies.join('')}end\n`,
  );
  const built = await home.gem(['build', `${source.name}.gemspec`], dir);
  if (built.code !== 0) throw new Error(`gem build failed: ${built.stdout}${built.stderr}`);
  return join(dir, `${source.name}-${source.version}${source.platform ? `-${source.platform}` : ''}.gem`);
}

/** Ruby's module name for a gem name: probe_hello → ProbeHello. */
export function camel(name: string): string {
  return name.split(/[_-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

function tarOf(entries: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry({ name: entry.name, mode: 0o444 }, entry.data);
  pack.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

/** The YAML `gem build` writes into metadata.gz, for a name and version that need not be valid. */
export function specYaml(name: string, version: string, dependencies: Record<string, string> = {}): string {
  const deps = Object.entries(dependencies).map(
    ([dep, requirement]) =>
      `- !ruby/object:Gem::Dependency\n  name: ${JSON.stringify(dep)}\n  requirement: !ruby/object:Gem::Requirement\n    requirements:\n    - - "${requirement.split(' ')[0]}"\n` +
      `      - !ruby/object:Gem::Version\n        version: '${requirement.split(' ')[1]}'\n  type: :runtime\n  prerelease: false\n`,
  );
  return (
    `--- !ruby/object:Gem::Specification\nname: ${JSON.stringify(name)}\nversion: !ruby/object:Gem::Version\n  version: ${JSON.stringify(version)}\nplatform: ruby\n` +
    `authors:\n- Trove tests\ndate: 2026-01-02 00:00:00.000000000 Z\ndependencies:${deps.length ? `\n${deps.join('')}` : ' []\n'}files:\n- lib/x.rb\nlicenses:\n- MIT\nmetadata: {}\n` +
    `required_ruby_version: !ruby/object:Gem::Requirement\n  requirements:\n  - - ">="\n    - !ruby/object:Gem::Version\n      version: '0'\n` +
    `rubygems_version: 3.3.15\nspecification_version: 4\nsummary: A gem built by the tests\n`
  );
}

/** A .gem as `gem build` lays it out (metadata.gz, data.tar.gz, checksums.yaml.gz), built here: any name and version. */
export async function gemBytes(name: string, version: string, dependencies: Record<string, string> = {}): Promise<Buffer> {
  const metadata = gzipSync(specYaml(name, version, dependencies));
  const data = gzipSync(await tarOf([{ name: 'lib/x.rb', data: Buffer.from('# empty\n') }]));
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const checksums = gzipSync(`---\nSHA256:\n  metadata.gz: ${sha256(metadata)}\n  data.tar.gz: ${sha256(data)}\n`);
  return tarOf([
    { name: 'metadata.gz', data: metadata },
    { name: 'data.tar.gz', data },
    { name: 'checksums.yaml.gz', data: checksums },
  ]);
}

export const readGem = (path: string) => readFileSync(path);
