import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from '../test/support/api.js';
import { eventCount } from '../test/support/audit.js';
import { abFigure, atLeast, type Figure, type Rounds } from './figures.js';

// The clients' download-events on/off rows (go, composer, rubygems, cargo, debian): a client's
// downloads from a group that records download events, alternated with the same downloads from a
// group that records none, then the check that the "on" group recorded one
// `package_registry_package_downloaded` per file downloaded and the "off" group none. Download
// events are written in batches, so the last ones may still be queued when the client is done: the
// count is polled until it is reached or the wait is over.

const DOWNLOADED = 'package_registry_package_downloaded';
const WAIT_MS = 30_000;

/** Waits for `expected` download events in the "on" group, then checks the "off" group has none: the recorded count. */
export async function checkDownloadEvents(root: Api, scenario: string, groups: { on: number; off: number }, expected: number): Promise<number> {
  const count = (groupId: number) => eventCount(root, `/api/v4/groups/${groupId}/audit_events`, `&event_name=${DOWNLOADED}`);
  const deadline = Date.now() + WAIT_MS;
  let recorded = await count(groups.on);
  while (recorded < expected && Date.now() < deadline) {
    await sleep(200);
    recorded = await count(groups.on);
  }
  const leaked = await count(groups.off);
  if (recorded !== expected || leaked !== 0) {
    throw new Error(`${scenario}: ${recorded} of ${expected} download events recorded in the "on" group (waited up to ${WAIT_MS / 1000} s), ${leaked} in the "off" group`);
  }
  return recorded;
}

export interface DownloadSide {
  groupId: number;
  /** One run of the client: files downloaded per second. */
  rate: () => Promise<number>;
}

/**
 * The on/off figure (target ≥ 0.9×: recording downloads costs the client under 10 %), then the
 * events check: each run of the "on" side downloaded `filesPerRun` files.
 */
export async function downloadEventsFigure(root: Api, scenario: string, figure: { name: string; unit: string; plan: Rounds }, on: DownloadSide, off: DownloadSide, filesPerRun: number): Promise<Figure> {
  const result = await abFigure(figure.name, figure.unit, figure.plan, on.rate, off.rate, atLeast(0.9));
  const expected = (figure.plan.rounds + figure.plan.warmupRounds) * filesPerRun;
  const recorded = await checkDownloadEvents(root, scenario, { on: on.groupId, off: off.groupId }, expected);
  return { ...result, note: `${recorded} download events recorded` };
}

/** The package set of the rubygems and cargo rows: bench_set_01..size-1, and bench_set_main depending on all of them. */
export function dependentSet(size: number): Array<{ name: string; dependencies: string[] }> {
  const leaves = Array.from({ length: size - 1 }, (_, i) => `bench_set_${String(i + 1).padStart(2, '0')}`);
  return [...leaves.map((name) => ({ name, dependencies: [] })), { name: 'bench_set_main', dependencies: leaves }];
}
