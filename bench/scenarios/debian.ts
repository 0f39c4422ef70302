import { readFileSync, writeFileSync } from 'node:fs';
import { Api, privateToken } from '../../test/support/api.js';
import { AptSandbox, aptAuthConf, buildDeb } from '../../test/support/debian-apt.js';
import { removeTempDir, tempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { downloadEventsFigure } from '../download-events.js';
import type { Figure } from '../figures.js';
import { startTroveServer, type TroveBenchServer } from '../servers.js';

// Debian against Trove: apt-get update and apt-get install --download-only of a set of packages
// (apt verifies the signed InRelease, fetches the Packages indexes, then every .deb), from a group
// with package audit events (and download events) on and one with them off. The ratio is what the
// audit trail of reads costs apt.

interface DebianSource {
  groupId: number;
  sourceLine: (keyFile: string) => string;
  authConf: string;
  keyUrl: string;
  token: string;
}

/** A project of a new group with these package settings, a distribution, and `debs` published to it. */
async function debianGroup(trove: TroveBenchServer, path: string, settings: Record<string, string>, debs: string[]): Promise<DebianSource> {
  const { world } = trove;
  const group = await world.group(path);
  const project = await world.project('apt', group.id);
  await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, settings);
  await world.root.expect(201, 'POST', `/api/v4/projects/${project.id}/debian_distributions`, { codename: 'bench', architectures: ['amd64'] });
  const token = await world.deployToken('groups', group.id, `${path}-apt`, ['read_package_registry', 'write_package_registry']);
  const root = `/api/v4/projects/${project.id}/packages/debian`;
  for (const deb of debs) {
    const fileName = deb.split('/').pop()!;
    const res = await fetch(`${trove.base}${root}/${fileName}?distribution=bench&component=main`, { method: 'PUT', body: new Uint8Array(readFileSync(deb)), headers: { 'deploy-token': token.token } });
    if (res.status !== 201) throw new Error(`upload of ${fileName}: ${res.status} ${await res.text()}`);
  }
  return {
    groupId: group.id,
    sourceLine: (keyFile) => `deb [signed-by=${keyFile}] ${trove.base}${root} bench main`,
    authConf: aptAuthConf(trove.base, root, token.token),
    keyUrl: `${trove.base}/api/v4/projects/${project.id}/debian_distributions/bench/key.asc`,
    token: token.token,
  };
}

/** One fresh apt (no lists, no cache): update, then download every package: packages per second. */
function aptRate(source: DebianSource, names: string[], keyFile: string): () => Promise<number> {
  return async () => {
    const apt = new AptSandbox(source.sourceLine(keyFile), source.authConf);
    try {
      const started = process.hrtime.bigint();
      const update = await apt.update();
      if (update.code !== 0) throw new Error(`apt-get update: ${update.stdout}${update.stderr}`);
      const { result, debs } = await apt.download(names);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (result.code !== 0 || debs.length !== names.length) throw new Error(`apt-get install --download-only: ${debs.length} of ${names.length}: ${result.stdout}${result.stderr}`);
      return names.length / seconds;
    } finally {
      removeTempDir(apt.dir);
    }
  };
}

async function keyFileOf(source: DebianSource): Promise<string> {
  const res = await fetch(source.keyUrl, { headers: { 'deploy-token': source.token } });
  if (res.status !== 200) throw new Error(`key.asc: ${res.status}`);
  const path = `${tempDir('trove-bench-debian-key-')}/key.asc`;
  writeFileSync(path, await res.text());
  return path;
}

export async function debianFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const trove = await startTroveServer();
  const build = tempDir('trove-bench-debs-');
  try {
    const names = Array.from({ length: config.debianPackages }, (_, i) => `bench-tool-${i}`);
    log(`building ${names.length} .debs with dpkg-deb`);
    const debs: string[] = [];
    for (const name of names) debs.push(await buildDeb({ name, version: '1.0-1', architecture: 'amd64', files: { [`/usr/share/${name}/data.bin`]: `${name}\n`.repeat(2000) } }, build));
    const on = await debianGroup(trove, 'debian-audit-on', { package_audit_events: 'enabled', package_download_events: 'enabled' }, debs);
    const off = await debianGroup(trove, 'debian-audit-off', { package_audit_events: 'disabled' }, debs);
    log(`apt-get update + install --download-only of ${names.length} packages, audit events on vs off`);
    const figure = {
      name: `Trove only: apt-get update + download of ${names.length} .debs, audit and download events on / off`,
      unit: 'pkg/s',
      plan: { rounds: config.rounds, warmupRounds: Math.max(1, config.warmupRounds) },
    };
    // The "on" side records a download event per .deb, the "off" side none.
    const root = new Api(trove.base, privateToken(trove.trove.rootToken));
    const onSide = { groupId: on.groupId, rate: aptRate(on, names, await keyFileOf(on)) };
    const offSide = { groupId: off.groupId, rate: aptRate(off, names, await keyFileOf(off)) };
    return [await downloadEventsFigure(root, 'apt downloads', figure, onSide, offSide, names.length)];
  } finally {
    removeTempDir(build);
    await trove.stop();
  }
}
