import { request } from 'node:http';
import { createServer } from 'node:net';
import { Api, privateToken } from '../../test/support/api.js';
import { eventCount } from '../../test/support/audit.js';
import { createDestination, destinationsPath } from '../../test/support/streaming.js';
import type { BenchConfig } from '../config.js';
import { abFigure, atLeast, atMost, figure, pairedFigure, type Figure } from '../figures.js';
import { publish, publishBodyFor } from '../fixtures.js';
import { fileGetRate, interleavedPublishRates } from '../load.js';
import { rssOf, sampleRss } from '../processes.js';
import { startTroveServer, type BenchServer, type TroveBenchServer } from '../servers.js';

// Figures only Trove has, each a ratio measured in the same run on one server: a group with the
// feature on against a group with it off (same package shapes, same client load, alternated),
// and the memory a 1 GB generic upload costs (it must stream, never buffer).

const NPM_UA = 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false';

/** A project registry in a new group of `trove` with the given package settings, as a BenchServer view. */
async function groupRegistry(trove: TroveBenchServer, path: string, settings: Record<string, string>): Promise<BenchServer & { groupId: number; projectId: number }> {
  const group = await trove.world.group(path);
  const project = await trove.world.project('registry', group.id);
  await trove.world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, settings);
  const user = await trove.world.user(`${path}-user`);
  await trove.world.addMember('groups', group.id, user, 40);
  return { ...trove, registry: `${trove.base}/api/v4/projects/${project.id}/packages/npm/`, token: user.token, groupId: group.id, projectId: project.id };
}

/**
 * Both sides of a Trove-only publish figure in one round: one publisher alternating between a
 * package on each side, `troveOnlyPublishChunk` versions at a time (publish-worker.ts says why).
 * The audit indexer (every 250 ms) then indexes the "on" side's events partly while the other side
 * publishes, as it did across the separate rounds before: about half of its ~0.04 ms per publish
 * is charged to the other side (1 % of a publish here), in both kinds of measurement.
 */
function interleavedPublishes(config: BenchConfig, a: BenchServer, b: BenchServer, prefix: string): () => Promise<[number, number]> {
  let round = 0;
  return () => {
    const name = `${prefix}-r${round++}`;
    return interleavedPublishRates({
      interleave: [
        { registry: a.registry, token: a.token, package: `${name}-a` },
        { registry: b.registry, token: b.token, package: `${name}-b` },
      ],
      versions: config.troveOnlyPublishes,
      chunk: config.troveOnlyPublishChunk,
    });
  };
}

const publishFigureName = (config: BenchConfig, what: string) =>
  `Trove only: publish ${config.troveOnlyPublishes} sequentially (${config.troveOnlyPublishChunk} at a time, interleaved), ${what}`;

/**
 * The first publish figure on this fresh Trove: more rounds are thrown away first than elsewhere.
 * A freshly started Trove kept speeding up over its first ~2000 publishes, its main thread's CPU
 * per publish falling from about 2.6 to 1.5 ms (`/proc/<pid>/task/<pid>/stat`), evenly over all
 * its functions (CPU profiles of early and late windows), so the first rounds' ratios moved with
 * which side happened to go second (0.63-0.97 in one run, 0.73-0.93 in the runs around it).
 */
async function auditOnOffPublish(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const on = await groupRegistry(trove, 'audit-on', { package_audit_events: 'enabled' });
  const off = await groupRegistry(trove, 'audit-off', { package_audit_events: 'disabled' });
  return pairedFigure(
    publishFigureName(config, 'audit events on / off'),
    'publish/s',
    { rounds: config.troveOnlyRounds, warmupRounds: config.troveOnlyPublishWarmupRounds },
    interleavedPublishes(config, on, off, 'bench-audit'),
    atLeast(0.9),
  );
}

async function downloadEventsOnOff(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const DOWNLOADED = 'package_registry_package_downloaded';
  const on = await groupRegistry(trove, 'downloads-on', { package_download_events: 'enabled' });
  const off = await groupRegistry(trove, 'downloads-off', { package_download_events: 'disabled' });
  for (const side of [on, off]) await publish(side.registry, side.token, 'bench-dl', await publishBodyFor('bench-dl', '1.0.0'));
  // npm's User-Agent: download events describe package-client downloads. Each round starts after
  // a pause that lets the previous round's queued events (written every 250 ms) be written, so
  // that a round pays for its own events and not for those of the round before.
  const rate = (side: BenchServer) => async () => {
    await new Promise((r) => setTimeout(r, 400));
    return fileGetRate({ url: `${side.registry}bench-dl/-/bench-dl-1.0.0.tgz`, headers: { authorization: `Bearer ${side.token}`, 'user-agent': NPM_UA }, connections: 16, seconds: config.loadSeconds });
  };
  const plan = { rounds: config.troveOnlyRounds, warmupRounds: config.warmupRounds };
  const result = await abFigure('Trove only: tarball GET c=16, download events on / off', 'req/s', plan, rate(on), rate(off), atLeast(0.8));
  // The events were really recorded on one side (batched: give the last batch a moment), none on the other.
  await new Promise((r) => setTimeout(r, 1000));
  const root = new Api(trove.base, privateToken(trove.trove.rootToken));
  const recorded = await eventCount(root, `/api/v4/groups/${on.groupId}/audit_events`, `&event_name=${DOWNLOADED}`);
  const leaked = await eventCount(root, `/api/v4/groups/${off.groupId}/audit_events`, `&event_name=${DOWNLOADED}`);
  if (recorded === 0 || leaked !== 0) throw new Error(`download events: ${recorded} recorded with the setting on, ${leaked} with it off`);
  return { ...result, note: `${recorded} download events recorded` };
}

/**
 * Issue #9: a streaming destination that is dead must not slow publishes. The dead one accepts
 * connections and never answers (the worst kind: every delivery waits for its timeout); each
 * publish still commits an outbox row for it in its transaction. Against a group without one.
 */
async function deadDestinationPublish(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const blackHole = createServer(() => undefined);
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  try {
    const dead = await groupRegistry(trove, 'stream-dead', {});
    const none = await groupRegistry(trove, 'stream-none', {});
    const root = new Api(trove.base, privateToken(trove.trove.rootToken));
    const port = (blackHole.address() as { port: number }).port;
    const destination = await createDestination(root, dead.groupId, { name: 'dead', url: `http://127.0.0.1:${port}/hook` });
    const result = await pairedFigure(
      publishFigureName(config, 'dead streaming destination / none'),
      'publish/s',
      { rounds: config.troveOnlyRounds, warmupRounds: config.warmupRounds },
      interleavedPublishes(config, dead, none, 'bench-stream'),
      atLeast(0.9),
    );
    // The dead destination really was queued for: its backlog holds the publishes.
    const { status } = await root.expect(200, 'GET', `${destinationsPath(dead.groupId)}/${destination.id}`);
    if (status.backlog === 0) throw new Error('dead streaming destination: nothing was queued for it');
    return { ...result, note: `backlog ${status.backlog}` };
  } finally {
    blackHole.close();
  }
}

/** Streams `bytes` to a generic package PUT with backpressure; resolves with the HTTP status. */
function uploadGeneric(url: string, token: string, bytes: number): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024, 'trove');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'private-token': token, 'content-length': String(bytes), 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function genericUploadMemory(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const before = rssOf(trove.pid);
  const sampler = sampleRss(trove.pid, 20);
  const started = performance.now();
  const url = `${trove.base}/api/v4/projects/${trove.projectId}/packages/generic/bench-big/1.0.0/big.bin`;
  const status = await uploadGeneric(url, trove.token, config.genericUploadBytes);
  const seconds = (performance.now() - started) / 1000;
  const growth = (sampler.stop() - before) / 2 ** 20;
  if (status !== 201 && status !== 200) throw new Error(`generic upload: HTTP ${status}`);
  const sizeMb = config.genericUploadBytes / 2 ** 20;
  return figure(`Trove only: generic upload ${sizeMb} MB, RSS growth`, 'MB', growth, null, atMost(64, 'value'), { note: `${(sizeMb / seconds).toFixed(0)} MB/s` });
}

export async function troveOnly(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  // Loopback destinations are refused unless allowed (SSRF rules); the dead one is on 127.0.0.1.
  const trove = await startTroveServer({ TROVE_STREAMING_ALLOW_PRIVATE: '1' });
  try {
    log('publish with audit events on vs off');
    const audit = await auditOnOffPublish(config, trove);
    log('publish with a dead streaming destination vs none');
    const streaming = await deadDestinationPublish(config, trove);
    log('downloads with download events on vs off');
    const downloads = await downloadEventsOnOff(config, trove);
    log(`generic upload of ${config.genericUploadBytes} bytes`);
    const upload = await genericUploadMemory(config, trove);
    return [audit, streaming, downloads, upload];
  } finally {
    await trove.stop();
  }
}
