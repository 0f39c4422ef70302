import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { ClientResult } from './npm-client.js';
import { run } from './python-client.js';
import { tempDir } from './trove-process.js';

// Drives the real cargo (rustup's, 1.74 or newer: sparse registries that require authentication)
// against Trove, each run with a fresh HOME and CARGO_HOME holding only the registry's
// config.toml, and none of this machine's CARGO_* variables. rustup's toolchains stay where they
// are (RUSTUP_HOME), so the cargo and rustc proxies find them. Also builds .crate files and
// publish bodies in JavaScript, for the publishes real cargo refuses to make.

/** The registry's name in config.toml and in Cargo.toml's `registry = ...`. */
export const REGISTRY = 'trove';

/** rustup's cargo (its CARGO_HOME's bin/cargo), else the first cargo on PATH; TROVE_TEST_CARGO names another. */
const CARGO =
  process.env.TROVE_TEST_CARGO ??
  [join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'cargo'), ...(process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, 'cargo'))].find((path) =>
    existsSync(path),
  ) ??
  'cargo';
/** Where rustup keeps its toolchains: beside the .cargo folder that holds its cargo proxy. */
const RUSTUP_HOME = process.env.RUSTUP_HOME ?? (basename(dirname(dirname(CARGO))) === '.cargo' ? join(dirname(dirname(dirname(CARGO))), '.rustup') : join(homedir(), '.rustup'));

/** The project's registry URL (its web API; the sparse index is under /index/). */
export function cargoRegistry(baseUrl: string, projectId: number): string {
  return `${baseUrl}/api/v4/projects/${projectId}/packages/cargo`;
}

/** cargo's version ("1.95.0"), or a clear failure when no cargo that reads authenticated sparse registries is installed. */
export function cargoVersion(): string {
  const output = execFileSync(CARGO, ['--version'], { env: new CargoHome(tempDir('trove-cargo-version-')).env(), encoding: 'utf8' });
  const version = /^cargo (\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!version || Number(version[1]) < 1 || (Number(version[1]) === 1 && Number(version[2]) < 74)) {
    throw new Error(`cargo 1.74 or newer is needed (rustup's; set TROVE_TEST_CARGO to another one), found: ${output.trim()}`);
  }
  return `${version[1]}.${version[2]}.${version[3]}`;
}

/** A fresh HOME and CARGO_HOME whose config.toml names one project's registry. */
export class CargoHome {
  constructor(readonly home: string) {}

  static create(baseUrl: string, projectId: number): CargoHome {
    const home = new CargoHome(tempDir('trove-cargo-home-'));
    mkdirSync(home.cargoHome, { recursive: true });
    writeFileSync(join(home.cargoHome, 'config.toml'), `[registries.${REGISTRY}]\nindex = "sparse+${cargoRegistry(baseUrl, projectId)}/index/"\n\n[registry]\nglobal-credential-providers = ["cargo:token"]\n\n[net]\nretry = 0\n`);
    return home;
  }

  get cargoHome(): string {
    return join(this.home, 'cargo');
  }

  env(token?: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (name.toUpperCase().startsWith('CARGO') || name.toUpperCase().startsWith('RUST')) continue;
      env[name] = value;
    }
    return {
      ...env,
      HOME: this.home,
      CARGO_HOME: this.cargoHome,
      RUSTUP_HOME,
      CARGO_TERM_COLOR: 'never',
      CARGO_TARGET_DIR: join(this.home, 'target'),
      ...(token ? { CARGO_REGISTRIES_TROVE_TOKEN: token } : {}),
    };
  }

  cargo(args: string[], cwd: string, token?: string): Promise<ClientResult> {
    return run(CARGO, args, { cwd, env: this.env(token), timeout: 300_000 });
  }
}

export interface CrateSource {
  name: string;
  version: string;
  /** Dependencies from the registry: name → version requirement. */
  dependencies?: Record<string, string>;
  /** The body of src/lib.rs (a library) or, with `bin`, of src/main.rs. */
  code?: string;
  bin?: boolean;
  description?: string;
}

/** Writes a crate's Cargo.toml and source into a fresh folder: its path. */
export function writeCrate(source: CrateSource): string {
  const dir = tempDir('trove-crate-src-');
  mkdirSync(join(dir, 'src'));
  const dependencies = Object.entries(source.dependencies ?? {}).map(([name, req]) => `${name} = { version = ${JSON.stringify(req)}, registry = "${REGISTRY}" }\n`);
  writeFileSync(
    join(dir, 'Cargo.toml'),
    `[package]\nname = ${JSON.stringify(source.name)}\nversion = ${JSON.stringify(source.version)}\nedition = "2021"\n` +
      `description = ${JSON.stringify(source.description ?? `${source.name}, a test crate`)}\nlicense = "MIT"\npublish = ["${REGISTRY}"]\n\n` +
      `[dependencies]\n${dependencies.join('')}`,
  );
  const code = source.code ?? `pub fn hello() -> String {\n    "${source.name} ${source.version}".to_string()\n}\n`;
  writeFileSync(join(dir, 'src', source.bin ? 'main.rs' : 'lib.rs'), code);
  return dir;
}

/** A .crate made in JavaScript: `<root>/Cargo.toml` and src/lib.rs, gzipped, as `cargo package` lays it out. */
export async function crateBytes(name: string, version: string, root = `${name}-${version}`): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  pack.entry({ name: `${root}/Cargo.toml` }, `[package]\nname = "${name}"\nversion = "${version}"\n`);
  pack.entry({ name: `${root}/src/lib.rs` }, 'pub fn hello() {}\n');
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** The body of `cargo publish`: u32le length + JSON metadata + u32le length + .crate. */
export function publishBody(metadata: Record<string, unknown>, crate: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(metadata));
  const lengths = [Buffer.alloc(4), Buffer.alloc(4)];
  lengths[0].writeUInt32LE(json.length);
  lengths[1].writeUInt32LE(crate.length);
  return Buffer.concat([lengths[0], json, lengths[1], crate]);
}

/** The metadata cargo sends for a crate with no dependencies. */
export function publishMetadata(name: string, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, vers: version, deps: [], features: {}, authors: [], description: 'a test crate', license: 'MIT', links: null, ...extra };
}
