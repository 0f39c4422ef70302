import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Api, privateToken } from './api.js';
import { startTrove, tempDir, type RunningTrove } from './trove-process.js';
import { World, type TestUser } from './world.js';

// A group to review, built over two "days" 120 days apart: Trove runs first with its clock set
// back (test/support/shifted-clock.mjs), then again today on the same data. acme has a subgroup
// acme/platform and a project in each; members are direct and inherited, one had their level
// changed today; dave has a token last used 120 days ago and one never used since then, and
// today's credentials include a revoked token, a reporter's token, a read-only deploy token
// (none of which can write packages) and write deploy tokens of the group and of a project, one
// of which pushes only container images.

export const SHIFTED_CLOCK = join(import.meta.dirname, 'shifted-clock.mjs');
export const DAY_MS = 24 * 60 * 60 * 1000;
export const DAYS_BACK = 120;
/** A membership expiry in the future, as members API dates are written. */
export const EVE_EXPIRES = `${new Date().getUTCFullYear() + 1}-06-30`;

type Ref = { id: number; full_path: string };

export interface AccessReviewWorld {
  trove: RunningTrove;
  world: World;
  olga: TestUser;
  dave: TestUser;
  rita: TestUser;
  mara: TestUser;
  eve: TestUser;
  acme: Ref;
  platform: Ref;
  webApp: { id: number; path_with_namespace: string };
  tools: { id: number; path_with_namespace: string };
  /** When the first "day" ended: everything before it is about 120 days old. */
  pastEndedAt: number;
}

export async function seedAccessReview(): Promise<AccessReviewWorld> {
  const dataDir = join(tempDir(), 'data');
  const rootToken = `glpat-test-root-review-${randomBytes(8).toString('hex')}`;
  const past = await startTrove({ dataDir, env: { TROVE_ROOT_TOKEN: rootToken, TROVE_TEST_CLOCK_SHIFT_MS: String(-DAYS_BACK * DAY_MS) }, nodeArgs: ['--import', SHIFTED_CLOCK] });
  const then = new World(past);
  const [olga, dave, rita, mara] = [await then.user('olga'), await then.user('dave'), await then.user('rita'), await then.user('mara')];
  const acme = await then.group('acme');
  const platform = await then.group('platform', acme.id);
  const webApp = await then.project('web-app', acme.id);
  const tools = await then.project('tools', platform.id);
  await then.addMember('groups', acme.id, olga, 50);
  await then.addMember('groups', acme.id, dave, 30);
  await then.addMember('groups', platform.id, mara, 30);
  await then.addMember('projects', tools.id, rita, 20);
  const oldCi = await then.token(dave, 'dave-old-ci', ['write_package_registry']);
  // Its one use: an authenticated read (the package does not exist; the token's last use is recorded all the same).
  await new Api(past.baseUrl, privateToken(oldCi.token)).get(`/api/v4/projects/${webApp.id}/packages/npm/left-pad`);
  await then.token(dave, 'dave-never-used', ['api']);
  await past.stop();
  const pastEndedAt = Date.now() - DAYS_BACK * DAY_MS;

  const trove = await startTrove({ dataDir, env: { TROVE_ROOT_TOKEN: rootToken, ...(past.databaseUrl ? { TROVE_DATABASE_URL: past.databaseUrl } : {}) } });
  const world = new World(trove);
  const today = (user: TestUser): TestUser => ({ ...user, api: new Api(trove.baseUrl, user.api.auth) });
  const eve = await world.user('eve');
  const users = { olga: today(olga), dave: today(dave), rita: today(rita), mara: today(mara), eve };
  await users.olga.api.expect(200, 'PUT', `/api/v4/groups/${acme.id}/members/${dave.id}`, { access_level: 40 });
  await users.olga.api.expect(201, 'POST', `/api/v4/projects/${webApp.id}/members`, { user_id: eve.id, access_level: 30, expires_at: EVE_EXPIRES });
  await eve.api.expect(200, 'GET', '/api/v4/user');
  const revoked = await world.token(users.dave, 'dave-revoked', ['write_package_registry']);
  await world.root.expect(204, 'DELETE', `/api/v4/personal_access_tokens/${revoked.id}`);
  await world.deployToken('groups', acme.id, 'group-bot', ['read_package_registry', 'write_package_registry']);
  await world.deployToken('projects', webApp.id, 'read-bot', ['read_package_registry', 'read_registry']);
  await world.deployToken('projects', webApp.id, 'image-bot', ['write_registry']);
  await world.deployToken('projects', tools.id, 'tools-bot', ['write_package_registry']);
  return { trove, world, ...users, acme, platform, webApp, tools, pastEndedAt };
}
