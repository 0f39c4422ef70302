import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from './trove-process.js';

// Drives the real npm / pnpm / yarn CLIs against Trove, each in an isolated HOME and cache.

export const BIN = {
  npm: 'npm',
  pnpm: join(REPO_ROOT, 'node_modules/.bin/pnpm'),
  yarn: join(REPO_ROOT, 'node_modules/.bin/yarn'),
};

// CI variables make npm add "ci/<name>" to its User-Agent; tests set them only on purpose.
const CI_VARIABLES = ['CI', 'GITLAB_CI', 'GITHUB_ACTIONS', 'BUILD_NUMBER', 'RUN_ID', 'CONTINUOUS_INTEGRATION', 'TF_BUILD', 'BUILDKITE', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'TEAMCITY_VERSION'];

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class NpmClient {
  readonly home: string;

  /** `registryUrl` ends with a slash, e.g. http://127.0.0.1:PORT/api/v4/projects/1/packages/npm/ */
  constructor(
    readonly registryUrl: string,
    readonly token: string | null,
    readonly extraEnv: Record<string, string> = {},
  ) {
    this.home = tempDir('trove-npm-home-');
    const authLine = token ? `${registryUrl.replace(/^https?:/, '')}:_authToken=${token}\n` : '';
    writeFileSync(
      join(this.home, '.npmrc'),
      `registry=${registryUrl}\n${authLine}always-auth=true\nupdate-notifier=false\naudit=false\nfund=false\n`,
    );
  }

  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CI_VARIABLES) delete env[name];
    for (const name of Object.keys(env)) if (name.toLowerCase().startsWith('npm_config_')) delete env[name];
    return {
      ...env,
      HOME: this.home,
      npm_config_userconfig: join(this.home, '.npmrc'),
      npm_config_cache: join(this.home, 'npm-cache'),
      YARN_CACHE_FOLDER: join(this.home, 'yarn-cache'),
      ...this.extraEnv,
    };
  }

  run(bin: string, args: string[], cwd: string): Promise<ClientResult> {
    return new Promise((resolve) => {
      execFile(bin, args, { cwd, env: this.env(), timeout: 120_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  npm(args: string[], cwd: string = this.home) {
    return this.run(BIN.npm, args, cwd);
  }
}

/** Writes a tiny package (package.json + index.js) into a fresh folder and returns it. */
export function makePackage(name: string, version: string, extra: Record<string, unknown> = {}): string {
  const dir = tempDir('trove-pkg-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, description: `${name} for tests`, main: 'index.js', license: 'MIT', ...extra }, null, 2));
  writeFileSync(join(dir, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`);
  return dir;
}

/** An empty consumer project to install into. */
export function makeConsumer(): string {
  const dir = tempDir('trove-consumer-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  return dir;
}
