import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Api, privateToken } from './api.js';
import { publishOk, publishRaw } from './audit-e2e.js';
import { REPO_ROOT, startTrove, tempDir, type RunningTrove } from './trove-process.js';
import { World, type TestUser } from './world.js';

// An audit log spread over three past days, for the activity chart: Trove is started on the same
// data folder (and PostgreSQL database) once per day with its clock at noon UTC of that day
// (the test-only preload test/support/shifted-clock.mjs), then once more on the real clock.
// Group acme (root owns it, dave is a developer, later a maintainer) and its project app.

const SHIFTED_CLOCK = pathToFileURL(join(REPO_ROOT, 'test/support/shifted-clock.mjs')).href;
const DAY_MS = 86_400_000;
const ROOT_TOKEN = 'glpat-test-root-activity-abcdefghijklmnop';

export interface ActivityDays {
  /** The running Trove, on the real clock. */
  trove: RunningTrove;
  root: Api;
  rootToken: string;
  dave: TestUser;
  group: { id: number; full_path: string };
  project: { id: number; path_with_namespace: string };
  /** The three seeded days, oldest first (YYYY-MM-DD). */
  days: [string, string, string];
}

/** Starts Trove on `dataDir` with its clock at noon UTC of `day` (none: the real clock). */
async function startOn(dataDir: string, day: string | null, previous?: RunningTrove): Promise<RunningTrove> {
  const env: Record<string, string> = { TROVE_ROOT_TOKEN: ROOT_TOKEN };
  if (previous?.databaseUrl) env.TROVE_DATABASE_URL = previous.databaseUrl;
  if (day === null) return startTrove({ dataDir, env });
  env.TROVE_TEST_CLOCK_SHIFT_MS = String(Date.parse(`${day}T12:00:00.000Z`) - Date.now());
  return startTrove({ dataDir, env, nodeArgs: ['--import', SHIFTED_CLOCK] });
}

const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

/**
 * Day 1: group acme and project app created, dave added as developer, dave publishes a@1.0.0,
 * root b@1.0.0. Day 2: dave's second a@1.0.0 is refused, root deletes b, dave publishes a@1.1.0,
 * root changes the group's audit settings. Day 3: dave publishes a@1.2.0, root makes him maintainer.
 */
export async function seedActivityDays(): Promise<ActivityDays> {
  const dataDir = join(tempDir(), 'data');
  const days: [string, string, string] = [daysAgo(3), daysAgo(2), daysAgo(1)];

  let trove = await startOn(dataDir, days[0]);
  const world = new World(trove);
  const dave = await world.user('dave');
  const group = await world.group('acme');
  const project = await world.project('app', group.id);
  await world.addMember('groups', group.id, dave, 30);
  await publishOk(dave.api, project.id, '@acme/a', '1.0.0');
  await publishOk(world.root, project.id, '@acme/b', '1.0.0');
  await trove.stop();

  trove = await startOn(dataDir, days[1], trove);
  let root = new Api(trove.baseUrl, privateToken(ROOT_TOKEN));
  let daveApi = new Api(trove.baseUrl, privateToken(dave.token));
  const refused = await publishRaw(daveApi, project.id, '@acme/a', '1.0.0');
  if (refused.status < 400) throw new Error(`the duplicate publish was accepted: ${refused.status}`);
  const [b] = await root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=${encodeURIComponent('@acme/b')}`);
  await root.expect(204, 'DELETE', `/api/v4/projects/${project.id}/packages/${b.id}`);
  await publishOk(daveApi, project.id, '@acme/a', '1.1.0');
  await root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
  await trove.stop();

  trove = await startOn(dataDir, days[2], trove);
  root = new Api(trove.baseUrl, privateToken(ROOT_TOKEN));
  daveApi = new Api(trove.baseUrl, privateToken(dave.token));
  await publishOk(daveApi, project.id, '@acme/a', '1.2.0');
  await root.expect(200, 'PUT', `/api/v4/groups/${group.id}/members/${dave.id}`, { access_level: 40 });
  await trove.stop();

  trove = await startOn(dataDir, null, trove);
  return {
    trove,
    root: new Api(trove.baseUrl, privateToken(ROOT_TOKEN)),
    rootToken: ROOT_TOKEN,
    dave: { ...dave, api: new Api(trove.baseUrl, privateToken(dave.token)) },
    group,
    project,
    days,
  };
}
