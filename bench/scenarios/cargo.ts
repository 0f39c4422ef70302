import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Api, privateToken } from '../../test/support/api.js';
import { CargoHome, cargoRegistry, crateBytes, publishBody, publishMetadata, writeCrate } from '../../test/support/cargo.js';
import { removeTempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { dependentSet, downloadEventsFigure } from '../download-events.js';
import type { Figure } from '../figures.js';
import { settingsSide, startTroveServer, type TroveBenchServer } from '../servers.js';

// Cargo against Trove: `cargo fetch` of a consumer depending on one crate of a set (which depends
// on all the others), from a project whose group records package and download events, against the
// same set in a group that records none. Each fetch runs in a fresh HOME and CARGO_HOME
// (test/support/cargo.ts), so it reads config.json and every crate's file of the sparse index and
// downloads every .crate from Trove, the token bare in Authorization (the projects are private).

/** A dependency in cargo's publish metadata: a normal one, on a version of this registry. */
const dependency = (name: string) => ({ name, version_req: '^1.0', features: [], optional: false, default_features: true, target: null, kind: 'normal', registry: null, explicit_name_in_toml: null });

interface CrateGroup {
  groupId: number;
  projectId: number;
  token: string;
}

/** A group with these package settings, a project holding the set (published as cargo publish sends it), and a deploy token. */
async function crateGroup(trove: TroveBenchServer, path: string, settings: Record<string, string>, size: number): Promise<CrateGroup> {
  const side = await settingsSide(trove.world, path, 'crates', settings);
  for (const crate of dependentSet(size)) {
    const body = publishBody(publishMetadata(crate.name, '1.0.0', { deps: crate.dependencies.map(dependency) }), await crateBytes(crate.name, '1.0.0'));
    const res = await fetch(`${cargoRegistry(trove.base, side.projectId)}/api/v1/crates/new`, { method: 'PUT', headers: { authorization: side.token }, body: new Uint8Array(body) });
    if (res.status !== 200) throw new Error(`publish of ${crate.name} to ${path}: ${res.status} ${await res.text()}`);
  }
  return side;
}

/** The .crate files cargo downloaded into this CARGO_HOME (registry/cache/<registry>/). */
function cachedCrates(home: CargoHome): number {
  const cache = join(home.cargoHome, 'registry', 'cache');
  return readdirSync(cache).reduce((sum, registry) => sum + readdirSync(join(cache, registry)).filter((f) => f.endsWith('.crate')).length, 0);
}

/** One `cargo fetch` of a consumer of bench_set_main in a fresh CARGO_HOME: crates downloaded per second. */
function fetchRate(trove: TroveBenchServer, size: number, group: CrateGroup): () => Promise<number> {
  return async () => {
    const home = CargoHome.create(trove.base, group.projectId);
    const consumer = writeCrate({ name: 'bench_consumer', version: '0.1.0', dependencies: { bench_set_main: '^1.0' } });
    try {
      const started = process.hrtime.bigint();
      const result = await home.cargo(['fetch'], consumer, group.token);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (result.code !== 0) throw new Error(`cargo fetch from project ${group.projectId} exited ${result.code}:\n${result.stdout}${result.stderr}`);
      const downloaded = cachedCrates(home);
      if (downloaded !== size) throw new Error(`cargo fetch from project ${group.projectId}: ${downloaded} of ${size} crates downloaded\n${result.stderr}`);
      return size / seconds;
    } finally {
      removeTempDir(home.home);
      removeTempDir(consumer);
    }
  };
}

async function fetchAuditOnOff(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const size = config.cargoSetSize;
  const on = await crateGroup(trove, 'cargo-audit-on', { package_audit_events: 'enabled', package_download_events: 'enabled' }, size);
  const off = await crateGroup(trove, 'cargo-audit-off', { package_audit_events: 'disabled', package_download_events: 'disabled' }, size);
  const figure = {
    name: `Trove only: cargo fetch of a ${size}-crate set, fresh CARGO_HOME, package and download events on / off`,
    unit: 'crate/s',
    plan: { rounds: config.rounds, warmupRounds: Math.max(1, config.warmupRounds) },
  };
  // The "on" side records a download event per .crate fetched, the "off" side none.
  const root = new Api(trove.base, privateToken(trove.trove.rootToken));
  return downloadEventsFigure(root, 'cargo fetch', figure, { groupId: on.groupId, rate: fetchRate(trove, size, on) }, { groupId: off.groupId, rate: fetchRate(trove, size, off) }, size);
}

export async function cargoFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const trove = await startTroveServer();
  try {
    log(`cargo fetch of a ${config.cargoSetSize}-crate set with package and download events on vs off`);
    return [await fetchAuditOnOff(config, trove)];
  } finally {
    await trove.stop();
  }
}
