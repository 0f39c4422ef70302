import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { curl, type CurlResult } from './generic-curl.js';
import { tempDir } from './trove-process.js';

// The real go command against Trove's Go proxy, isolated from the machine (fresh HOME, GOPATH,
// GOCACHE, no go env file, no proxy but Trove, no checksum database), and the files of a module
// version (.info, .mod, .zip) as a publisher uploads them with curl.

export interface GoModuleVersion {
  module: string;
  version: string;
  info: Buffer;
  mod: Buffer;
  zip: Buffer;
}

/** go's case encoding of module paths and versions in proxy URLs: uppercase letters as "!" and the lowercase letter. */
export const escapeGoPath = (path: string) => path.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);

/** A zip of `entries` (name → content), each name written as given (no folder entries). */
export function zipOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { mtime: new Date('2024-01-01T00:00:00Z') });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

/** The three files of a module version whose source is `files` (go.mod is added from the module path). */
export async function goModuleVersion(module: string, version: string, files: Record<string, string>): Promise<GoModuleVersion> {
  const mod = Buffer.from(`module ${module}\n\ngo 1.19\n`);
  const entries: Record<string, string | Buffer> = { [`${module}@${version}/go.mod`]: mod };
  for (const [name, content] of Object.entries(files)) entries[`${module}@${version}/${name}`] = content;
  const info = Buffer.from(JSON.stringify({ Version: version, Time: '2024-01-01T00:00:00Z' }));
  return { module, version, info, mod, zip: await zipOf(entries) };
}

/** The proxy URL of a project: GOPROXY, with the token as the password when given. */
export function goProxyUrl(baseUrl: string, projectId: number, token?: string): string {
  const url = new URL(`${baseUrl}/api/v4/projects/${projectId}/packages/go`);
  if (token) {
    url.username = 'gopher';
    url.password = token;
  }
  return url.toString();
}

/** PUT of one file of a version with curl (PRIVATE-TOKEN), as the publish instructions do it. */
export async function uploadGoFile(proxyUrl: string, token: string, module: string, version: string, kind: 'info' | 'mod' | 'zip', bytes: Buffer, curlArgs: string[] = []): Promise<CurlResult> {
  const file = join(tempDir('trove-go-upload-'), `${version}.${kind}`);
  writeFileSync(file, bytes);
  return curl(['--fail-with-body', ...curlArgs, '-H', `PRIVATE-TOKEN: ${token}`, '--upload-file', file, `${proxyUrl}/${escapeGoPath(module)}/@v/${escapeGoPath(version)}.${kind}`]);
}

/** Uploads .mod, .info and .zip (in that order); the first failure stops and is returned. */
export async function publishGoVersion(proxyUrl: string, token: string, files: GoModuleVersion, curlArgs: string[] = []): Promise<CurlResult[]> {
  const results: CurlResult[] = [];
  for (const kind of ['mod', 'info', 'zip'] as const) {
    const result = await uploadGoFile(proxyUrl, token, files.module, files.version, kind, files[kind], curlArgs);
    results.push(result);
    if (result.code !== 0) break;
  }
  return results;
}

export interface GoResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A go command's world: its own HOME, module cache and build cache, reading only from `proxy`. */
export class GoClient {
  readonly home = tempDir('trove-go-home-');

  constructor(
    readonly proxy: string,
    readonly certFile?: string,
  ) {
    mkdirSync(join(this.home, 'gopath'));
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.home,
      GOPATH: join(this.home, 'gopath'),
      GOCACHE: join(this.home, 'gocache'),
      GOENV: join(this.home, 'go.env'),
      GOFLAGS: '-modcacherw',
      GOPROXY: this.proxy,
      GOSUMDB: 'off',
      GONOSUMDB: '*',
      GOTOOLCHAIN: 'local',
      GO111MODULE: 'on',
      CGO_ENABLED: '0',
      ...(this.certFile ? { SSL_CERT_FILE: this.certFile } : {}),
    };
  }

  run(args: string[], cwd: string): Promise<GoResult> {
    return new Promise((resolve) => {
      execFile('go', args, { cwd, env: this.env(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  /** A consumer module in a fresh folder: go.mod and the given source files. */
  consumer(module: string, files: Record<string, string>): string {
    const dir = tempDir('trove-go-consumer-');
    writeFileSync(join(dir, 'go.mod'), `module ${module}\n\ngo 1.19\n`);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }
}
