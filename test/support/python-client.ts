import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientResult } from './npm-client.js';
import { tempDir } from './trove-process.js';

// Drives the real Python clients against Trove: `python3 -m build` (Debian's, --no-isolation),
// twine and pip in a venv, each with a fresh HOME and none of this machine's PIP_* variables,
// pip.conf files (PIP_CONFIG_FILE=/dev/null makes pip read no config file at all) or CI markers.

export const PYTHON = '/usr/bin/python3';
export const TWINE = '/usr/bin/twine';

// pip puts "ci":true into its User-Agent when one of these is set; tests set them only on purpose.
const CI_VARIABLES = ['CI', 'GITLAB_CI', 'GITHUB_ACTIONS', 'BUILD_ID', 'BUILD_BUILDID', 'PIP_IS_CI', 'BUILD_NUMBER', 'CONTINUOUS_INTEGRATION', 'TF_BUILD', 'JENKINS_URL'];

/** The environment every Python client runs in: a fresh HOME and nothing inherited that configures pip, twine or Python. */
export function pythonEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const upper = name.toUpperCase();
    if (upper.startsWith('PIP_') || upper.startsWith('TWINE_') || upper.startsWith('PYTHON') || upper.startsWith('VIRTUAL_ENV') || upper.startsWith('PYENV')) continue;
    if (upper.startsWith('XDG_') || CI_VARIABLES.includes(upper)) continue;
    env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    // twine never asks a keyring when -u and -p are given; make sure it could not anyway.
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    ...extra,
  };
}

export function run(bin: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout?: number }): Promise<ClientResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: options.cwd, env: options.env, timeout: options.timeout ?? 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface BuiltProject {
  dir: string;
  /** Absolute paths of the built wheel and sdist. */
  wheel: string;
  sdist: string;
}

export interface ProjectSpec {
  /** The distribution name as written in pyproject.toml (need not be normalised). */
  name: string;
  version: string;
  /** The importable module; its hello() returns "<module> <version>". */
  module: string;
  requiresPython?: string;
  description?: string;
}

/** Writes a tiny pyproject/setuptools project and builds its wheel and sdist with the real `python -m build`. */
export async function buildProject(spec: ProjectSpec): Promise<BuiltProject> {
  const dir = tempDir('trove-pyproj-');
  const home = tempDir('trove-pyhome-');
  mkdirSync(join(dir, 'src', spec.module), { recursive: true });
  const toml = [
    '[build-system]',
    'requires = ["setuptools>=61", "wheel"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    `name = ${JSON.stringify(spec.name)}`,
    `version = ${JSON.stringify(spec.version)}`,
    `description = ${JSON.stringify(spec.description ?? `${spec.name} for tests`)}`,
    ...(spec.requiresPython ? [`requires-python = ${JSON.stringify(spec.requiresPython)}`] : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'pyproject.toml'), toml);
  writeFileSync(join(dir, 'src', spec.module, '__init__.py'), `def hello():\n    return ${JSON.stringify(`${spec.module} ${spec.version}`)}\n`);
  const result = await run(PYTHON, ['-m', 'build', '--no-isolation', '--sdist', '--wheel', '--outdir', 'dist', '.'], { cwd: dir, env: pythonEnv(home) });
  if (result.code !== 0) throw new Error(`python -m build failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  const built = readdirSync(join(dir, 'dist'));
  const wheel = built.find((f) => f.endsWith('.whl'));
  const sdist = built.find((f) => f.endsWith('.tar.gz'));
  if (!wheel || !sdist || built.length !== 2) throw new Error(`unexpected build output: ${built.join(', ')}`);
  return { dir, wheel: join(dir, 'dist', wheel), sdist: join(dir, 'dist', sdist) };
}

/**
 * The multipart form `twine upload` posts for one file, built with FormData for uploads twine
 * itself will not send (refused input; twine 6's `attestations` field with an older twine):
 * twine's fields in twine's order, `fields` overriding or adding, `repeated` appended as they are.
 */
export function twineForm(name: string, version: string, fileName: string, content: Buffer<ArrayBuffer>, fields: Record<string, string> = {}, repeated: [string, string][] = []): FormData {
  const form = new FormData();
  const all: Record<string, string> = {
    ':action': 'file_upload',
    protocol_version: '1',
    name,
    version,
    filetype: fileName.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    pyversion: fileName.endsWith('.whl') ? 'py3' : 'source',
    metadata_version: '2.1',
    sha256_digest: createHash('sha256').update(content).digest('hex'),
    md5_digest: createHash('md5').update(content).digest('hex'),
    ...fields,
  };
  for (const [key, value] of [...Object.entries(all), ...repeated]) form.append(key, value);
  form.append('content', new Blob([content]), fileName);
  return form;
}

/** `twine upload` of `files` to `repositoryUrl` with Basic credentials, as a fresh user. */
export async function twineUpload(
  repositoryUrl: string,
  username: string,
  password: string,
  files: string[],
  options: { verbose?: boolean; skipExisting?: boolean; env?: Record<string, string> } = {},
): Promise<ClientResult> {
  const home = tempDir('trove-twine-home-');
  const args = ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', repositoryUrl, '-u', username, '-p', password];
  if (options.verbose) args.push('--verbose');
  if (options.skipExisting) args.push('--skip-existing');
  return run(TWINE, [...args, ...files], { cwd: home, env: pythonEnv(home, options.env) });
}

/** A virtual environment made by Debian's python3 -m venv, with its own pip and an isolated HOME. */
export class Venv {
  private constructor(
    readonly dir: string,
    readonly home: string,
  ) {}

  static async create(options: { systemSitePackages?: boolean } = {}): Promise<Venv> {
    const home = tempDir('trove-pip-home-');
    const dir = join(tempDir('trove-venv-'), 'venv');
    const args = ['-m', 'venv', ...(options.systemSitePackages ? ['--system-site-packages'] : []), dir];
    const result = await run(PYTHON, args, { cwd: home, env: pythonEnv(home) });
    if (result.code !== 0) throw new Error(`python -m venv failed:\n${result.stderr}`);
    return new Venv(dir, home);
  }

  /** Runs this venv's pip (never the cache, never a config file). */
  pip(args: string[], cwd = this.home): Promise<ClientResult> {
    return run(join(this.dir, 'bin', 'pip'), [...args.slice(0, 1), '--no-cache-dir', ...args.slice(1)], { cwd, env: pythonEnv(this.home) });
  }

  python(args: string[], cwd = this.home): Promise<ClientResult> {
    return run(join(this.dir, 'bin', 'python'), args, { cwd, env: pythonEnv(this.home) });
  }
}

/** http://user:token@127.0.0.1:PORT/<path>: pip sends userinfo as Basic on the first request. */
export function indexUrl(baseUrl: string, path: string, token: string, username = '__token__'): string {
  const url = new URL(path, baseUrl);
  url.username = username;
  url.password = token;
  return url.toString();
}
