import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { privateToken } from '../test/support/api.js';
import { eventCount } from '../test/support/audit.js';
import { publishOk, sleep } from '../test/support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../test/support/trove-process.js';
import { World } from '../test/support/world.js';

// The download-events benchmark: tarball download throughput of one server with download events
// on (a group that enabled them) vs off (a group that did not), same package, same client load,
// measured in back-to-back pairs (order alternating) so that load from elsewhere on the machine
// hits both sides of a pair alike; the median of the pairs' ratios is the result.
// Target (the issue): on/off >= 0.8, asserted with TROVE_BENCH_ASSERT=1 (on a quiet machine);
// by default only a gross regression (< 0.5) fails, because a shared, loaded test machine moves
// single rounds by +-30 %. Prints the numbers (TROVE_BENCH_PAIRS, TROVE_BENCH_ROUND_MS).

const DOWNLOADED = 'package_registry_package_downloaded';
const CONCURRENCY = 16;
const ROUND_MS = Number(process.env.TROVE_BENCH_ROUND_MS ?? 1000);
const PAIRS = Number(process.env.TROVE_BENCH_PAIRS ?? 8);

async function throughput(url: string, token: string, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let done = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const res = await fetch(url, { headers: { ...privateToken(token), 'user-agent': 'npm/10.9.0 node/v20.0.0 linux x64' } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`download: ${res.status}`);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (done * 1000) / (Date.now() - started);
}

describe('download events benchmark', () => {
  let trove: RunningTrove;

  before(async () => {
    trove = await startTrove();
  });

  after(async () => {
    await trove?.stop();
  });

  it('reports download throughput with events on vs off (target on/off >= 0.8)', async () => {
    const world = new World(trove);
    const urls: Record<'on' | 'off', string> = { on: '', off: '' };
    const groups: Record<'on' | 'off', number> = { on: 0, off: 0 };
    const reader = await world.user('bench');
    for (const mode of ['on', 'off'] as const) {
      const group = await world.group(`bench-${mode}`);
      groups[mode] = group.id;
      const project = await world.project('app', group.id);
      if (mode === 'on') await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
      await world.addMember('groups', group.id, reader, 20);
      await publishOk(world.root, project.id, 'bench-pkg', '1.0.0');
      urls[mode] = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/bench-pkg/-/bench-pkg-1.0.0.tgz`;
    }
    await throughput(urls.off, reader.token, 500); // warm-up
    await throughput(urls.on, reader.token, 500);
    const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const mode of pair % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        await sleep(300); // let the previous round's last batch be written
        rates[mode].push(await throughput(urls[mode], reader.token, ROUND_MS));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratios = rates.on.map((on, i) => on / rates.off[i]).sort((a, b) => a - b);
    const ratio = (ratios[Math.floor((ratios.length - 1) / 2)] + ratios[Math.ceil((ratios.length - 1) / 2)]) / 2;
    console.log(
      `download throughput (${CONCURRENCY} concurrent clients, ${PAIRS} pairs of ${ROUND_MS} ms): events off ${mean(rates.off).toFixed(0)}/s ` +
        `[${rates.off.map((r) => r.toFixed(0)).join(', ')}], events on ${mean(rates.on).toFixed(0)}/s [${rates.on.map((r) => r.toFixed(0)).join(', ')}]; ` +
        `on/off median of pairs ${ratio.toFixed(2)}, of means ${(mean(rates.on) / mean(rates.off)).toFixed(2)}`,
    );
    // The events were really recorded (all of them, after the last batch), and none for "off".
    await sleep(600);
    assert.ok((await eventCount(world.root, `/api/v4/groups/${groups.on}/audit_events`, `&event_name=${DOWNLOADED}`)) > 100);
    assert.equal(await eventCount(world.root, `/api/v4/groups/${groups.off}/audit_events`, `&event_name=${DOWNLOADED}`), 0);
    const floor = process.env.TROVE_BENCH_ASSERT === '1' ? 0.8 : 0.5;
    assert.ok(ratio >= floor, `on/off = ${ratio.toFixed(2)} (target >= 0.8, asserted >= ${floor})`);
  });
});
