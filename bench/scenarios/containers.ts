import { join } from 'node:path';
import { eventCount } from '../../test/support/audit.js';
import { registryToken } from '../../test/support/oci-http.js';
import { buildImage, OCI_MANIFEST, Skopeo, type RegistryCredentials } from '../../test/support/oci-images.js';
import { available, startReferenceRegistry, type ReferenceRegistry } from '../../test/support/reference-registry.js';
import { removeTempDir, tempDir, withTempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { abFigure, atLeast, figure, median, type Figure, type Target } from '../figures.js';
import { fileGetRate } from '../load.js';
import { startTroveServer, type TroveBenchServer } from '../servers.js';

// `--only=containers`: Trove's container registry against Debian's docker-registry (CNCF
// distribution 2.8.2, in Go) started here on the same machine. skopeo pushes and pulls a 5-layer
// image (5 x 10 MB of incompressible bytes in the full run) and a load loop GETs its manifest by tag
// on 50 connections. Trove pushes with its audit trail on (the default); the peer runs without auth
// (the token realm distribution needs is a second server), so Trove also checks a bearer token on
// every request. Until Trove serves /v2/ (GET /v2/ answers 404), only the peer is measured.

const MANIFEST_CONNECTIONS = 50;
const PUSHED = 'container_registry_manifest_pushed';
const LAYERS = 5;

/** One registry as the figures see it: where skopeo pushes, how it logs in, and how a raw GET authenticates. */
interface ContainerSide {
  host: string;
  base: string;
  /** The repository every name of this side starts with. */
  prefix: string;
  credentials?: RegistryCredentials;
  /** A fresh bearer header for `scope` (Trove), or none (the peer). */
  auth(scope: string): Promise<Record<string, string>>;
}

const peerSide = (registry: ReferenceRegistry): ContainerSide => ({ host: registry.host, base: registry.baseUrl, prefix: 'bench/registry', auth: async () => ({}) });

/** Trove's side, or a reason it cannot be measured yet. */
async function troveSide(trove: TroveBenchServer): Promise<ContainerSide | string> {
  const ping = await fetch(`${trove.base}/v2/`);
  await ping.arrayBuffer();
  if (ping.status === 404) return 'GET /v2/ answered 404: Trove has no container registry in this build';
  const user = await trove.world.user('bench-containers', ['read_registry', 'write_registry']);
  await trove.world.addMember('groups', trove.groupId, user, 40);
  const credentials = { username: user.username, token: user.token };
  return {
    host: new URL(trove.base).host,
    base: trove.base,
    prefix: 'bench/registry',
    credentials,
    auth: async (scope) => ({ authorization: `Bearer ${await registryToken(trove.base, credentials, [scope])}` }),
  };
}

const megabytes = (config: BenchConfig) => (LAYERS * config.containerLayerBytes) / 2 ** 20;

/** Seconds of `work`. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Push rounds: every round builds a new image (new bytes: neither registry, nor the blob-info cache
 * containers/image keeps as root, has seen them) and each side pushes it to a new repository.
 */
function pushRate(config: BenchConfig, layouts: string, side: ContainerSide): () => Promise<number> {
  let round = 0;
  return async () => {
    const tag = `push-${round++}`;
    const layout = join(layouts, tag);
    await buildImage(layout, tag, { layers: Array(LAYERS).fill(config.containerLayerBytes), seed: `${layouts}/${tag}/${side.host}` });
    const skopeo = Skopeo.create(side.credentials);
    try {
      return megabytes(config) / (await timed(() => skopeo.push(layout, tag, side.host, `${side.prefix}/${tag}:1`)));
    } finally {
      removeTempDir(skopeo.dir);
      removeTempDir(layout);
    }
  };
}

/** Pull rounds: skopeo copies `<prefix>/pull:1` into a new, empty `oci:` layout. */
function pullRate(config: BenchConfig, side: ContainerSide): () => Promise<number> {
  return () =>
    withTempDir('trove-bench-pull-', async (dir) => {
      const skopeo = Skopeo.create(side.credentials);
      try {
        return megabytes(config) / (await timed(() => skopeo.pull(side.host, `${side.prefix}/pull:1`, join(dir, 'layout'), 'pulled')));
      } finally {
        removeTempDir(skopeo.dir);
      }
    });
}

/** Manifest GETs by tag per second on 50 keep-alive connections (get-worker.ts); any non-2xx fails the row. */
function manifestRate(config: BenchConfig, side: ContainerSide): () => Promise<number> {
  return async () =>
    fileGetRate({
      url: `${side.base}/v2/${side.prefix}/pull/manifests/1`,
      headers: { accept: OCI_MANIFEST, ...(await side.auth(`repository:${side.prefix}/pull:pull`)) },
      connections: MANIFEST_CONNECTIONS,
      seconds: config.loadSeconds,
    });
}

/** The push row measured Trove with its audit trail on: every pushed manifest has its event. */
async function pushesAudited(trove: TroveBenchServer, pushes: number): Promise<string> {
  const recorded = await eventCount(trove.world.root, `/api/v4/groups/${trove.groupId}/audit_events`, `&event_name=${PUSHED}`);
  if (recorded < pushes) throw new Error(`containers: ${recorded} ${PUSHED} events for ${pushes} skopeo pushes to Trove`);
  return `${recorded} ${PUSHED} events recorded`;
}

/** The peer's rounds alone, as a row whose Trove column is empty, when Trove cannot be measured. */
async function peerOnly(name: string, unit: string, config: BenchConfig, peer: () => Promise<number>, why: string): Promise<Figure> {
  for (let i = 0; i < config.warmupRounds; i++) await peer();
  const samples: number[] = [];
  for (let i = 0; i < config.rounds; i++) samples.push(await peer());
  return figure(name, unit, Number.NaN, median(samples), null, { ratio: null, samples: { trove: [], peer: samples }, note: `Trove not measured: ${why}` });
}

export async function containerFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  if (!available()) {
    log('containers: docker-registry is not installed (scripts/install-test-deps.sh); row skipped');
    return [];
  }
  const layouts = tempDir('trove-bench-images-');
  const registry = await startReferenceRegistry();
  const trove = await startTroveServer();
  try {
    const peer = peerSide(registry);
    const troveOrReason = await troveSide(trove);
    const sides = typeof troveOrReason === 'string' ? [peer] : [troveOrReason, peer];
    if (typeof troveOrReason === 'string') log(`containers: Trove skipped, ${troveOrReason}; measuring docker-registry alone`);
    log(`containers: a ${LAYERS}-layer ${megabytes(config).toFixed(0)} MB image for the pull and manifest rows`);
    await buildImage(join(layouts, 'pull'), 'pull', { layers: Array(LAYERS).fill(config.containerLayerBytes), seed: `${layouts}/pull` });
    for (const side of sides) await Skopeo.create(side.credentials).push(join(layouts, 'pull'), 'pull', side.host, `${side.prefix}/pull:1`);

    const plan = { rounds: config.rounds, warmupRounds: config.warmupRounds };
    const rows: [string, string, (side: ContainerSide) => () => Promise<number>, Target][] = [
      [`skopeo copy push of a ${LAYERS}-layer ${megabytes(config).toFixed(0)} MB image, Trove audit on`, 'MB/s', (side) => pushRate(config, layouts, side), atLeast(0.8)],
      [`skopeo copy pull of a ${LAYERS}-layer ${megabytes(config).toFixed(0)} MB image`, 'MB/s', (side) => pullRate(config, side), atLeast(1)],
      [`manifest GET by tag, c=${MANIFEST_CONNECTIONS}`, 'req/s', (side) => manifestRate(config, side), atLeast(1)],
    ];
    const figures: Figure[] = [];
    for (const [name, unit, rate, target] of rows) {
      log(`containers: ${name}`);
      figures.push(
        typeof troveOrReason === 'string'
          ? await peerOnly(name, unit, config, rate(peer), troveOrReason)
          : await abFigure(name, unit, plan, rate(troveOrReason), rate(peer), target),
      );
    }
    if (typeof troveOrReason !== 'string') figures[0] = { ...figures[0], note: await pushesAudited(trove, plan.rounds + plan.warmupRounds + 1) };
    return figures;
  } finally {
    await trove.stop();
    await registry.stop();
    removeTempDir(layouts);
  }
}
