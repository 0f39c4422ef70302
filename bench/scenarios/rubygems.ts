import { Api, privateToken } from '../../test/support/api.js';
import { gemBytes, GemHome, gemSource } from '../../test/support/rubygems.js';
import { removeTempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { dependentSet, downloadEventsFigure } from '../download-events.js';
import type { Figure } from '../figures.js';
import { settingsSide, startTroveServer, type TroveBenchServer } from '../servers.js';

// RubyGems against Trove: `gem install` of a gem set (one gem depending on all the others) from a
// project whose group records package and download events, against the same set in a group that
// records none. Each install runs in a fresh HOME and GEM_HOME (test/support/rubygems.ts), so it
// reads the compact index, every quick spec and every .gem from Trove.

interface GemGroup {
  groupId: number;
  source: string;
}

/** A group with these package settings, a project holding the set (pushed as gem push does), and its read source. */
async function gemGroup(trove: TroveBenchServer, path: string, settings: Record<string, string>, size: number): Promise<GemGroup> {
  const side = await settingsSide(trove.world, path, 'gems', settings);
  for (const gem of dependentSet(size)) {
    const res = await fetch(`${trove.base}/api/v4/projects/${side.projectId}/packages/rubygems/api/v1/gems`, {
      method: 'POST',
      headers: { authorization: side.token, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(await gemBytes(gem.name, '1.0.0', Object.fromEntries(gem.dependencies.map((name) => [name, '>= 1.0'])))),
    });
    if (res.status !== 201) throw new Error(`push of ${gem.name} to ${path}: ${res.status} ${await res.text()}`);
  }
  return { groupId: side.groupId, source: gemSource(trove.base, side.projectId, side.token) };
}

/** One `gem install bench_set_main` into a fresh GEM_HOME: gems installed per second. */
function installRate(size: number, group: GemGroup): () => Promise<number> {
  return async () => {
    const home = GemHome.create();
    try {
      const started = process.hrtime.bigint();
      const result = await home.gem(['install', 'bench_set_main', '--clear-sources', '--source', group.source, '--no-document']);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const installed = (result.stdout.match(/^Successfully installed /gm) ?? []).length;
      if (result.code !== 0 || installed !== size) throw new Error(`gem install from ${group.source}: exit ${result.code}, ${installed} of ${size} installed\n${result.stdout}${result.stderr}`);
      return size / seconds;
    } finally {
      removeTempDir(home.home);
    }
  };
}

async function installAuditOnOff(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const size = config.rubygemsSetSize;
  const on = await gemGroup(trove, 'gems-audit-on', { package_audit_events: 'enabled', package_download_events: 'enabled' }, size);
  const off = await gemGroup(trove, 'gems-audit-off', { package_audit_events: 'disabled', package_download_events: 'disabled' }, size);
  const figure = {
    name: `Trove only: gem install of a ${size}-gem set, fresh GEM_HOME, package and download events on / off`,
    unit: 'gem/s',
    plan: { rounds: config.rounds, warmupRounds: Math.max(1, config.warmupRounds) },
  };
  // The "on" side records a download event per gem installed, the "off" side none.
  const root = new Api(trove.base, privateToken(trove.trove.rootToken));
  return downloadEventsFigure(root, 'gem install', figure, { groupId: on.groupId, rate: installRate(size, on) }, { groupId: off.groupId, rate: installRate(size, off) }, size);
}

export async function rubygemsFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const trove = await startTroveServer();
  try {
    log(`gem install of a ${config.rubygemsSetSize}-gem set with package and download events on vs off`);
    return [await installAuditOnOff(config, trove)];
  } finally {
    await trove.stop();
  }
}
