import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployToken } from '../support/api.js';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { openTamperDb, type TroveData } from '../support/audit-verify-data.js';
import { sql } from 'kysely';
import { migrateBefore, openDatabase } from '../../src/storage/db/database.js';
import { freshDatabaseUrl } from '../support/test-database.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/architecture.md#bad-input-and-limits: usernames and group/project paths are unique regardless of case (a path within its
// parent namespace), and a deploy token's username is never a user's: `ALICE` beside `alice`, or a
// deploy token called `root`, would read as someone else in the audit log.

const PASSWORD = 'correct-horse-battery';
const newUser = (username: string) => ({ username, email: `${username.toLowerCase()}-${Math.random()}@example.com`, name: username, password: PASSWORD });

describe('names that differ only by case', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number };
  let other: { id: number };

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    await world.user('alice');
    acme = await world.group('Acme');
    other = await world.group('other');
  });

  after(async () => {
    await trove?.stop();
  });

  it('refuses a username that differs from another only by case', async () => {
    for (const username of ['ALICE', 'Alice', 'acme']) {
      const res = await world.root.post('/api/v4/users', newUser(username));
      assert.equal(res.status, 409, `${username}: ${res.text}`);
    }
    const users = await world.root.expect(200, 'GET', '/api/v4/users?per_page=100');
    assert.deepEqual(users.map((u: any) => u.username).filter((n: string) => n.toLowerCase() === 'alice'), ['alice']);
  });

  it('refuses group and project paths that differ only by case within one parent', async () => {
    assert.equal((await world.root.post('/api/v4/groups', { name: 'acme', path: 'acme' })).status, 400);
    assert.equal((await world.root.post('/api/v4/groups', { name: 'ALICE', path: 'ALICE' })).status, 400, 'a user namespace holds the path');
    const team = await world.group('Team', acme.id);
    await world.project('App', acme.id);
    for (const [what, body] of [
      ['subgroup', { name: 'team', path: 'team', parent_id: acme.id }],
      ['group beside a project', { name: 'APP', path: 'APP', parent_id: acme.id }],
    ] as const) {
      const res = await world.root.post('/api/v4/groups', body);
      assert.equal(res.status, 400, `${what}: ${res.text}`);
      assert.match(res.body.message, /has already been taken/);
    }
    for (const [what, namespaceId, path] of [
      ['project', acme.id, 'app'],
      ['project beside a subgroup', acme.id, 'TEAM'],
    ] as const) {
      const res = await world.root.post('/api/v4/projects', { name: path, path, namespace_id: namespaceId });
      assert.equal(res.status, 400, `${what}: ${res.text}`);
    }
    // The same path under another parent is another path.
    await world.group('team', other.id);
    await world.project('app', other.id);
    await world.project('app', team.id);
  });

  it("refuses a deploy token with a user's username, in any case, and a user named like a deploy token", async () => {
    for (const username of ['root', 'ROOT', 'Alice']) {
      const res = await world.root.post(`/api/v4/groups/${acme.id}/deploy_tokens`, { name: 'bot', username, scopes: ['read_package_registry'] });
      assert.equal(res.status, 400, `${username}: ${res.text}`);
      assert.match(res.body.message, /user/);
    }
    await world.root.expect(201, 'POST', `/api/v4/groups/${acme.id}/deploy_tokens`, { name: 'bot', username: 'ci-bot', scopes: ['read_package_registry'] });
    assert.equal((await world.root.post('/api/v4/users', newUser('CI-Bot'))).status, 409);
  });
});

describe('names from before the rule', () => {
  let data: TroveData;
  let trove: RunningTrove | undefined;
  let rootToken: string;
  let botSecret: string;
  let projectId: number;

  before(async () => {
    data = { dataDir: join(tempDir(), 'data'), databaseUrl: undefined };
    const first = await startTrove({ dataDir: data.dataDir });
    data.databaseUrl = first.databaseUrl;
    rootToken = first.rootToken;
    const world = new World(first);
    await world.user('alice');
    const corp = await world.group('corp');
    projectId = (await world.project('app', corp.id)).id;
    botSecret = (await world.root.expect(201, 'POST', `/api/v4/projects/${projectId}/deploy_tokens`, { name: 'bot', username: 'old-bot', scopes: ['write_package_registry'] })).token;
    await first.stop();
    // A deploy token given root's username before that was refused.
    const db = await openTamperDb(data);
    try {
      await db.run(`UPDATE deploy_tokens SET username = 'root' WHERE username = 'old-bot'`);
    } finally {
      await db.close();
    }
  });

  after(async () => {
    await trove?.stop();
  });

  const start = () => startTrove({ dataDir: data.dataDir, env: { TROVE_ROOT_TOKEN: rootToken, ...(data.databaseUrl ? { TROVE_DATABASE_URL: data.databaseUrl } : {}) } });

  it('stops the migration and names the pairs when a database holds case duplicates, and migrates once they are renamed', async () => {
    // A database as migration 014 finds it: made by the migrations before it, pairs already there.
    const old: TroveData = { dataDir: join(tempDir(), 'data'), databaseUrl: await freshDatabaseUrl() };
    const db = openDatabase({ sqliteFile: join(old.dataDir, 'trove.db'), postgresUrl: old.databaseUrl });
    try {
      await migrateBefore(db, '014-case-insensitive-names');
      for (const username of ['alice', 'ALICE']) {
        await sql`INSERT INTO users (username, name, email, is_admin, state, created_at) VALUES (${username}, 'A', ${`${username}@example.com`}, ${0}, 'active', '2026-01-01T00:00:00.000Z')`.execute(db);
      }
      for (const path of ['corp', 'Corp']) {
        await sql`INSERT INTO namespaces (kind, name, path, full_path, visibility, description, package_audit_events, package_download_events, created_at)
                  VALUES ('group', ${path}, ${path}, ${path}, 'private', '', 'inherit', 'inherit', '2026-01-01T00:00:00.000Z')`.execute(db);
      }
    } finally {
      await db.destroy();
    }
    const startOld = () => startTrove({ dataDir: old.dataDir, env: old.databaseUrl ? { TROVE_DATABASE_URL: old.databaseUrl } : {} });
    await assert.rejects(startOld(), (error: Error) => {
      assert.match(error.message, /migration 014/);
      assert.match(error.message, /users\.username: ALICE, alice/);
      assert.match(error.message, /namespaces\.full_path: Corp, corp/);
      return true;
    });

    const tamper = await openTamperDb(old);
    try {
      await tamper.run(`UPDATE users SET username = 'alice-old' WHERE username = 'ALICE'`);
      await tamper.run(`UPDATE namespaces SET path = 'corp-old', full_path = 'corp-old' WHERE full_path = 'Corp'`);
    } finally {
      await tamper.close();
    }
    const migrated = await startOld();
    await migrated.stop();
    const check = await openTamperDb(old);
    try {
      await assert.rejects(
        check.run(`INSERT INTO users (username, name, email, is_admin, state, created_at) VALUES ('Alice', 'A', 'a3@example.com', ?, 'active', '2026-01-01T00:00:00.000Z')`, [0]),
        /unique|UNIQUE/,
      );
    } finally {
      await check.close();
    }
  });

  it("does not count a deploy token's events as a user's of the same username", async () => {
    trove = await start();
    const world = new World(trove);
    await publishOk(world.root.as(deployToken(botSecret)), projectId, 'bot-lib', '1.0.0');
    await publishOk(world.root, projectId, 'root-lib', '1.0.0');
    const published = await allEvents(world.root, '/api/v4/audit_events', '&event_name=package_registry_package_published');
    assert.equal(published.length, 2);
    const byRoot = await allEvents(world.root, '/api/v4/audit_events', '&event_name=package_registry_package_published&author_username=root');
    assert.deepEqual(byRoot.map((e) => e.package.name), ['root-lib']);
  });
});
