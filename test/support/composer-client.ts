import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { curl, type CurlResult } from './generic-curl.js';
import { tempDir } from './temp-dir.js';

// The real composer (Debian's, PHP 8.2) against a running Trove, each run in a fresh HOME,
// COMPOSER_HOME and cache, with packagist.org switched off: only 127.0.0.1 is reached. Package
// zips are built with yazl as `git archive --format=zip` lays them out; they are published with curl.

export const COMPOSER = '/usr/bin/composer';

export interface ComposerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A library zip: composer.json with a PSR-4 autoload of src/, and one class whose greet() says `greeting`. */
export interface LibrarySpec {
  name: string;
  version?: string;
  namespace?: string;
  greeting?: string;
  /** The single top folder forge archives put everything in ("" for none). */
  folder?: string;
  /** Entries to add or override as they are (hostile names, no composer.json). */
  extra?: Record<string, string>;
  omitComposerJson?: boolean;
  require?: Record<string, string>;
}

export function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  // A fixed date, so that the same entries make the same bytes.
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name, { mtime: new Date('2024-01-01T00:00:00Z') });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

export function libraryEntries(spec: LibrarySpec): Record<string, string> {
  const namespace = spec.namespace ?? 'Acme\\Greeter';
  const folder = spec.folder ?? '';
  const manifest: Record<string, unknown> = {
    name: spec.name,
    description: 'Says hello',
    type: 'library',
    license: 'MIT',
    require: spec.require ?? { php: '>=8.0' },
    autoload: { 'psr-4': { [`${namespace}\\`]: 'src/' } },
  };
  if (spec.version !== undefined) manifest.version = spec.version;
  const entries: Record<string, string> = {};
  if (!spec.omitComposerJson) entries[`${folder}composer.json`] = JSON.stringify(manifest, null, 2);
  entries[`${folder}src/Greeter.php`] = `<?php\nnamespace ${namespace};\n\nfinal class Greeter\n{\n    public static function greet(string $who): string\n    {\n        return ${JSON.stringify(spec.greeting ?? 'Hello')} . ', ' . $who;\n    }\n}\n`;
  return { ...entries, ...spec.extra };
}

export const libraryZip = (spec: LibrarySpec) => zipOf(libraryEntries(spec));

/**
 * `curl --form package=@zip [--form version=...]` as the publish instructions say, with the token
 * in PRIVATE-TOKEN; `raw`: the zip as the body (`--data-binary`), the version in the query.
 */
export async function publishZip(uploadUrl: string, token: string, zip: Buffer, version?: string, raw = false): Promise<CurlResult> {
  const path = join(tempDir('trove-composer-zip-'), 'package.zip');
  writeFileSync(path, zip);
  if (raw) {
    const url = version !== undefined ? `${uploadUrl}?version=${encodeURIComponent(version)}` : uploadUrl;
    return curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${token}`, '-H', 'Content-Type: application/zip', '--data-binary', `@${path}`, url]);
  }
  const form = ['--form', `package=@${path};type=application/zip`, ...(version !== undefined ? ['--form', `version=${version}`] : [])];
  return curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${token}`, ...form, uploadUrl]);
}

/** A consumer project: composer.json naming only this repository, over plain http, and auth.json with the token as http-basic. */
export class ComposerProject {
  readonly home = tempDir('trove-composer-home-');
  readonly dir = join(this.home, 'app');
  readonly cache = join(this.home, 'cache');

  constructor(repositoryUrl: string, token: string, require: Record<string, string> = {}) {
    mkdirSync(this.dir, { recursive: true });
    const host = new URL(repositoryUrl).host;
    const manifest = {
      name: 'acme/app',
      type: 'project',
      repositories: [{ type: 'composer', url: repositoryUrl }, { 'packagist.org': false }],
      require,
      config: { 'secure-http': false },
    };
    writeFileSync(join(this.dir, 'composer.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(this.dir, 'auth.json'), JSON.stringify({ 'http-basic': { [host]: { username: '__token__', password: token } } }));
  }

  run(args: string[], command = COMPOSER): Promise<ComposerResult> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: this.home,
      COMPOSER_HOME: join(this.home, 'composer-home'),
      COMPOSER_CACHE_DIR: this.cache,
      COMPOSER_ALLOW_SUPERUSER: '1',
      COMPOSER_NO_INTERACTION: '1',
      COMPOSER_DISABLE_NETWORK: '0',
    };
    return new Promise((resolve) => {
      execFile(command, args, { cwd: this.dir, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  composer(args: string[]): Promise<ComposerResult> {
    return this.run([...args, '--no-interaction', '--no-progress', '--no-ansi']);
  }

  /** Runs PHP code in the project, after vendor/autoload.php. */
  php(code: string): Promise<ComposerResult> {
    return this.run(['-r', `require "vendor/autoload.php"; ${code}`], '/usr/bin/php');
  }

  /** The dist zip of `name` as composer downloaded it into its cache (the bytes it checked against shasum). */
  cachedZip(name: string): Buffer {
    const dir = join(this.cache, 'files', name);
    const zips = readdirSync(dir).filter((f) => f.endsWith('.zip'));
    if (zips.length !== 1) throw new Error(`expected one cached zip of ${name}, found ${zips.join(', ')}`);
    return readFileSync(join(dir, zips[0]));
  }
}
