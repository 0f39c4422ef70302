import { AuditLog } from '../src/core/audit/audit-log.js';
import type { AuditContext, AuditEventInput } from '../src/core/audit/audit-types.js';
import { openDatabase } from '../src/storage/db/database.js';

// Writes N audit events through the real recorder (AuditLog.recordBatch, in transactions of
// 1000, SQLite with synchronous=FULL as the app opens it) into an existing, stopped Trove's
// database: the "1M events" of the audit-at-scale benchmark. Its own process, because it moves
// the clock: event i is stamped at startMs + i * step, so date-range filters have a spread.
// argv[2]: JSON of GenerateJob. Prints {"events": n, "seconds": s}.

export interface GenerateJob {
  databaseFile: string;
  events: number;
  startMs: number;
  endMs: number;
  groups: { id: number; path: string; projects: { id: number; full_path: string }[] }[];
  actors: { id: number; username: string; tokenId: number }[];
}

const job = JSON.parse(process.argv[2]) as GenerateJob;

let simulatedNow = job.startMs;
const RealDate = Date;
class SimulatedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(simulatedNow);
    else super(...(args as [number]));
  }
  static override now(): number {
    return simulatedNow;
  }
}
globalThis.Date = SimulatedDate as DateConstructor;

// The mix of a busy registry: mostly downloads and publishes, some deletes, token and settings events.
const EVENT_NAMES = [
  ...Array(5).fill('package_registry_package_downloaded'),
  ...Array(3).fill('package_registry_package_published'),
  'package_registry_package_deleted',
  'personal_access_token_created',
  'package_registry_audit_settings_updated',
];
const PACKAGES_PER_PROJECT = 50;

function eventAt(i: number): { ctx: AuditContext; input: AuditEventInput } {
  const group = job.groups[i % job.groups.length];
  const project = group.projects[Math.floor(i / job.groups.length) % group.projects.length];
  const actor = job.actors[i % job.actors.length];
  const eventName = EVENT_NAMES[(i * 7) % EVENT_NAMES.length];
  // Within a group (i % groups), every package meets every event name (11 and 50 are coprime).
  const name = `pkg-${(Math.floor(i / job.groups.length) * 13) % PACKAGES_PER_PROJECT}`;
  const version = `1.${i % 97}.${i % 89}`;
  const ctx: AuditContext = {
    actor: { type: 'personal_access_token', user_id: actor.id, username: actor.username, token_id: actor.tokenId, token_name: `${actor.username}-token`, token_owner_path: actor.username },
    via: 'package_client',
    client: { name: 'npm', version: '11.6.2' },
    userAgent: 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false',
    ipAddress: `10.0.${i % 250}.${(i >> 8) % 250}`,
    requestId: `bench-${i}`,
    pipeline: null,
  };
  const input: AuditEventInput = {
    eventName,
    scope: { entityType: 'Group', entityId: group.id, entityPath: group.path, settingNamespaceId: group.id },
    project,
    package: { id: 1000 + (i % 5000), format: 'npm', name, version, files: [{ file_name: `${name}-${version}.tgz`, size: 1234 + (i % 1000), sha256: 'ab'.repeat(32) }] },
    target: { id: 1000 + (i % 5000), type: 'Packages::Package', details: `${name}@${version}` },
    customMessage: `${eventName.replaceAll('_', ' ')}: ${name}@${version}`,
  };
  return { ctx, input };
}

const db = openDatabase({ sqliteFile: job.databaseFile });
const audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'enabled' });
const step = (job.endMs - job.startMs) / job.events;
const started = performance.now();
const BATCH = 1000;
for (let first = 0; first < job.events; first += BATCH) {
  const batch: ReturnType<typeof eventAt>[] = [];
  for (let i = first; i < Math.min(job.events, first + BATCH); i++) batch.push(eventAt(i));
  simulatedNow = Math.round(job.startMs + first * step);
  await db.transaction().execute((tx) => audit.recordBatch(tx, batch));
}
await db.destroy();
process.stdout.write(JSON.stringify({ events: job.events, seconds: (performance.now() - started) / 1000 }) + '\n');
