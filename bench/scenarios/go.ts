import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Api, privateToken } from '../../test/support/api.js';
import { GoClient, goModuleVersion, goProxyUrl, publishGoVersion } from '../../test/support/go-client.js';
import { selfSignedCertificate } from '../../test/support/tls.js';
import { removeTempDir, tempDir, withTempDir } from '../../test/support/temp-dir.js';
import { startTrove, type RunningTrove } from '../../test/support/trove-process.js';
import { World } from '../../test/support/world.js';
import type { BenchConfig } from '../config.js';
import { downloadEventsFigure } from '../download-events.js';
import type { Figure } from '../figures.js';

// Go modules against Trove: `go mod download` of a consumer's `goModules` dependencies with a cold
// module cache, from a project whose group has package audit events (here: download events) on,
// against the same modules in a group that has them off. go sends credentials only over HTTPS, so
// this Trove serves HTTPS with a self-signed certificate, and every go request carries a token.

/** A module's source: a few files of a few KiB, as a small library has. */
function sourceOf(index: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let file = 0; file < 4; file++) {
    const body = Array.from({ length: 80 }, (_, line) => `// line ${line} of file ${file} of module ${index}: ${'x'.repeat(40)}`).join('\n');
    files[`f${file}.go`] = `package m${index}\n\n${body}\n\n// F${file} is there to be compiled.\nfunc F${file}() int { return ${file} }\n`;
  }
  return files;
}

const moduleName = (index: number) => `bench.example/go/m${index}`;

interface GoSide {
  groupId: number;
  proxy: string;
}

/** A group with these package settings, a project in it holding the modules, and a proxy URL with a token of a member. */
async function goSide(trove: RunningTrove, world: World, certFile: string, path: string, settings: Record<string, string>, count: number): Promise<GoSide> {
  const group = await world.group(path);
  const project = await world.project('modules', group.id);
  await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, settings);
  const user = await world.user(`${path}-dev`, ['api'], `${path}-laptop`);
  await world.addMember('groups', group.id, user, 30);
  const upload = goProxyUrl(trove.baseUrl, project.id);
  for (let index = 0; index < count; index++) {
    const files = await goModuleVersion(moduleName(index), 'v1.0.0', sourceOf(index));
    for (const result of await publishGoVersion(upload, user.token, files, ['--cacert', certFile])) {
      if (result.code !== 0) throw new Error(`go bench: upload of ${moduleName(index)} failed: ${result.status} ${result.body} ${result.stderr}`);
    }
  }
  return { groupId: group.id, proxy: goProxyUrl(trove.baseUrl, project.id, user.token) };
}

/** One `go mod download` of every module, cold module cache: modules per second. */
function downloadRate(side: GoSide, certFile: string, count: number): () => Promise<number> {
  return () =>
    withTempDir('trove-bench-go-consumer-', async (consumerDir) => {
      const requires = Array.from({ length: count }, (_, index) => `\t${moduleName(index)} v1.0.0\n`).join('');
      writeFileSync(join(consumerDir, 'go.mod'), `module bench.example/consumer\n\ngo 1.19\n\nrequire (\n${requires})\n`);
      const go = new GoClient(side.proxy, certFile);
      try {
        const started = process.hrtime.bigint();
        const result = await go.run(['mod', 'download'], consumerDir);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (result.code !== 0) throw new Error(`go mod download exited ${result.code}:\n${result.stderr}`);
        return count / seconds;
      } finally {
        removeTempDir(go.home);
      }
    });
}

export async function goFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const certDir = tempDir('trove-bench-go-tls-');
  const cert = selfSignedCertificate(certDir);
  const trove = await startTrove({ tls: cert, env: { TROVE_DATABASE_URL: '', TROVE_LOG_LEVEL: 'warn' } });
  try {
    const world = new World(trove);
    const count = config.goModules;
    log(`go: publishing ${count} modules to each of two groups (audit events on, off)`);
    const on = await goSide(trove, world, cert.cert, 'go-audit-on', { package_audit_events: 'enabled', package_download_events: 'enabled' }, count);
    const off = await goSide(trove, world, cert.cert, 'go-audit-off', { package_audit_events: 'disabled', package_download_events: 'enabled' }, count);
    log(`go mod download of ${count} modules, cold module cache, audit events on vs off`);
    const figure = {
      name: `Trove only: go mod download of ${count} modules over HTTPS, cold module cache, download events on / audit events off`,
      unit: 'module/s',
      plan: { rounds: config.goRounds, warmupRounds: Math.max(1, config.warmupRounds) },
    };
    // The "on" side records a download event per module .zip and run, the "off" side none.
    const root = new Api(trove.baseUrl, privateToken(trove.rootToken));
    return [await downloadEventsFigure(root, 'go mod download', figure, { groupId: on.groupId, rate: downloadRate(on, cert.cert, count) }, { groupId: off.groupId, rate: downloadRate(off, cert.cert, count) }, count)];
  } finally {
    await trove.stop();
    removeTempDir(certDir);
  }
}
