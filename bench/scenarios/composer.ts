import { Api, privateToken } from '../../test/support/api.js';
import { ComposerProject, libraryZip } from '../../test/support/composer-client.js';
import { removeTempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { downloadEventsFigure } from '../download-events.js';
import type { Figure } from '../figures.js';
import { settingsSide, startTroveServer, type TroveBenchServer } from '../servers.js';

// Composer against Trove: `composer install` of a set of packages from a group's repository
// (packages.json, one p2 document and one dist zip per package), with package audit and download
// events on, and with package audit events off. Every composer runs in a fresh HOME and cache
// (test/support/composer-client.ts), so each round downloads every zip.

const packageNames = (size: number) => Array.from({ length: size }, (_, i) => `bench/lib-${i}`);

interface ComposerSource {
  groupId: number;
  repository: string;
  token: string;
}

/** A project in a new group with these package settings, holding `size` packages; a deploy token of the group. */
async function composerGroup(trove: TroveBenchServer, path: string, settings: Record<string, string>, size: number): Promise<ComposerSource> {
  const { groupId, projectId, token } = await settingsSide(trove.world, path, 'php', settings);
  for (const [i, name] of packageNames(size).entries()) {
    const form = new FormData();
    form.append('version', '1.0.0');
    form.append('package', new Blob([new Uint8Array(await libraryZip({ name, namespace: `Bench\\Lib${i}` }))]), 'package.zip');
    const res = await fetch(`${trove.base}/api/v4/projects/${projectId}/packages/composer`, { method: 'POST', body: form, headers: { 'Deploy-Token': token } });
    if (res.status !== 201) throw new Error(`publishing ${name}: ${res.status} ${await res.text()}`);
  }
  return { groupId, repository: `${trove.base}/api/v4/group/${groupId}/-/packages/composer/packages.json`, token };
}

/** One `composer install` of every package, cold: packages per second. */
function installRate(source: ComposerSource, size: number): () => Promise<number> {
  const require = Object.fromEntries(packageNames(size).map((name) => [name, '^1.0']));
  return async () => {
    const app = new ComposerProject(source.repository, source.token, require);
    try {
      const started = process.hrtime.bigint();
      const result = await app.composer(['install', '--no-dev']);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (result.code !== 0) throw new Error(`composer install from ${source.repository} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
      const installed = (result.stderr.match(/- Installing bench\/lib-/g) ?? []).length;
      if (installed !== size) throw new Error(`composer install from ${source.repository}: ${installed} of ${size} packages installed\n${result.stderr}`);
      return size / seconds;
    } finally {
      removeTempDir(app.home);
    }
  };
}

export async function composerFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const trove = await startTroveServer();
  try {
    const size = config.composerPackages;
    log(`composer install of ${size} packages with audit events on vs off`);
    const on = await composerGroup(trove, 'composer-audit-on', { package_audit_events: 'enabled', package_download_events: 'enabled' }, size);
    const off = await composerGroup(trove, 'composer-audit-off', { package_audit_events: 'disabled' }, size);
    const root = new Api(trove.base, privateToken(trove.trove.rootToken));
    const figure = {
      name: `Trove only: composer install of ${size} packages, cold cache, audit and download events on / off`,
      unit: 'package/s',
      plan: { rounds: config.rounds, warmupRounds: config.warmupRounds },
    };
    return [await downloadEventsFigure(root, 'composer install', figure, { groupId: on.groupId, rate: installRate(on, size) }, { groupId: off.groupId, rate: installRate(off, size) }, size)];
  } finally {
    await trove.stop();
  }
}
