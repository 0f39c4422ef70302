import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from '../test/support/api.js';
import { eventCount } from '../test/support/audit.js';

// The check that ends each client's download-events on/off row: the group with download events on
// recorded one `package_registry_package_downloaded` per file the client downloaded, the group with
// them off none. Download events are written in batches, so the last ones may still be queued when
// the client is done: the count is polled until it is reached or the wait is over.

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
