import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { createGroup, deleteGroup } from '../accounts/group-lifecycle.js';
import type { Namespace } from '../accounts/namespaces.js';
import { createProject, deleteProject } from '../accounts/project-lifecycle.js';
import type { Project } from '../accounts/projects.js';
import { AuditLog } from '../audit/audit-log.js';
import { systemAuditContext } from '../audit/audit-types.js';
import { PackageService } from '../packages/package-service.js';
import type { PublisherFields } from './trusted-publisher-fields.js';
import { createPublisher, deletePublisher, updatePublisher, type PublisherOwner } from './trusted-publisher-store.js';
import { audiencesOf, claimsMatch, isTrustedIssuer, matchingPublishers, publisherCovers, recordPublisherUse, type TrustedPublisher, type VerifiedIdToken } from './trusted-publishers.js';

// Matching verified ID tokens to trusted publishers, against a real database (SQLite, or PostgreSQL on that run).

const AUDIENCE = 'https://trove.example';
const options = { allowInsecureIssuers: false };

describe('trusted publishers', () => {
  let db: Db;
  let audit: AuditLog;
  let n = 0;
  const ctx = systemAuditContext('publisher test');
  const by = () => ({ audit, ctx });

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-publishers-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
    audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
  });

  after(async () => {
    await db?.destroy();
  });

  /** A fresh issuer per test, so that the tests' publishers never see each other. */
  const issuer = () => `https://gitlab.com/t${++n}`;

  async function group(parent: Namespace | null = null): Promise<Namespace> {
    const i = ++n;
    return createGroup(db, by(), { name: `g${i}`, path: `g${i}`, parentId: parent?.id ?? null });
  }

  async function project(namespace?: Namespace): Promise<Project> {
    return createProject(db, by(), { path: `app${++n}`, namespace: namespace ?? (await group()) });
  }

  function add(owner: PublisherOwner, fields: Partial<PublisherFields> & { issuer: string }): Promise<TrustedPublisher> {
    return createPublisher(db, audit, ctx, owner, { audience: AUDIENCE, claims: { project_path: 'acme/app' }, package_type: null, package_name_pattern: null, ...fields }, null, options);
  }

  function token(iss: string, claims: Record<string, unknown>, audiences = [AUDIENCE]): VerifiedIdToken {
    const now = new Date();
    return { issuer: iss, subject: String(claims.sub ?? 'job'), audiences, jti: null, issuedAt: now, expiresAt: new Date(now.getTime() + 300_000), claims };
  }

  const pairs = async (t: VerifiedIdToken, requested: { projectId: number } | null = null) =>
    (await matchingPublishers(db, t, requested)).map((pair) => [pair.publisher.id, pair.projectId]);

  it('matches exact and glob conditions, every one of them, case and all', () => {
    const conditions = { project_path: 'acme/app', ref: 'refs/heads/release-*', ref_protected: 'true' };
    assert.equal(claimsMatch(conditions, { project_path: 'acme/app', ref: 'refs/heads/release-1.2', ref_protected: 'true' }), true);
    assert.equal(claimsMatch(conditions, { project_path: 'acme/app', ref: 'refs/heads/release-1.2', ref_protected: true }), true, 'a boolean claim compares as JSON spells it');
    assert.equal(claimsMatch(conditions, { project_path: 'acme/app', ref: 'refs/heads/main', ref_protected: 'true' }), false);
    assert.equal(claimsMatch(conditions, { project_path: 'Acme/App', ref: 'refs/heads/release-1', ref_protected: 'true' }), false, 'exact is exact');
    assert.equal(claimsMatch(conditions, { project_path: 'acme/app', ref: 'refs/heads/RELEASE-1', ref_protected: 'true' }), false, 'globs keep case');
    assert.equal(claimsMatch(conditions, { project_path: 'acme/app', ref: 'refs/heads/release-1' }), false, 'a missing claim matches nothing');
    assert.equal(claimsMatch(conditions, { project_path: 'acme/app', ref: 'refs/heads/release-1', ref_protected: null }), false);
    assert.equal(claimsMatch({ project_path: 'acme/*' }, { project_path: ['acme/app'] }), false, 'arrays are not strings');
    assert.equal(claimsMatch({ toString: 'x' }, {}), false, 'inherited properties are not claims');
  });

  it("grants a project's publisher to its project when issuer, audience and claims match", async () => {
    const iss = issuer();
    const p = await project();
    const publisher = await add({ kind: 'project', project: p }, { issuer: iss, claims: { project_path: 'acme/app', ref_protected: 'true' } });
    const claims = { project_path: 'acme/app', ref_protected: 'true' };
    assert.deepEqual(await pairs(token(iss, claims)), [[publisher.id, p.id]]);
    assert.deepEqual(await pairs(token(iss, claims), { projectId: p.id }), [[publisher.id, p.id]]);
    assert.deepEqual(await pairs(token(iss, claims, ['https://other.example'])), [], 'another audience');
    assert.deepEqual(await pairs(token(iss, claims, [])), []);
    assert.deepEqual(await pairs(token(iss, claims, [...Array.from({ length: 50_000 }, (_, i) => `aud-${i}`), AUDIENCE])), [[publisher.id, p.id]], 'any number of audiences');
    assert.deepEqual(await pairs(token(`${iss}/`, claims)), [], 'the issuer is compared exactly');
    assert.deepEqual(await pairs(token(iss, { project_path: 'acme/app', ref_protected: 'false' })), [], 'a condition fails');
    assert.deepEqual(await pairs(token(iss, { project_path: 'acme/app' })), [], 'a claim is missing');
  });

  it('grants a group publisher only to the requested project below the group', async () => {
    const iss = issuer();
    const top = await group();
    const sub = await group(top);
    const inside = await project(sub);
    const outside = await project();
    const publisher = await add({ kind: 'group', group: top }, { issuer: iss, claims: { namespace_path: 'acme/*' } });
    const t = token(iss, { namespace_path: 'acme/platform' });
    assert.deepEqual(await pairs(t), [], 'without a requested project a group publisher grants nothing');
    assert.deepEqual(await pairs(t, { projectId: inside.id }), [[publisher.id, inside.id]]);
    assert.deepEqual(await pairs(t, { projectId: outside.id }), [], 'a project outside the group');
    assert.deepEqual(await pairs(t, { projectId: 999_999 }), [], 'a project that does not exist');
  });

  it('returns every pair when a token matches publishers of two projects (the exchange refuses it as ambiguous)', async () => {
    const iss = issuer();
    const a = await project();
    const b = await project();
    const pa = await add({ kind: 'project', project: a }, { issuer: iss, claims: { project_path: 'acme/*' } });
    const pb = await add({ kind: 'project', project: b }, { issuer: iss, claims: { project_path: 'acme/app' } });
    await add({ kind: 'project', project: b }, { issuer: iss, claims: { project_path: 'other/app' } });
    assert.deepEqual(await pairs(token(iss, { project_path: 'acme/app' })), [
      [pa.id, a.id],
      [pb.id, b.id],
    ]);
    // A group's publisher and the project's own both grant the requested project: two pairs as well.
    const g = await group();
    const c = await project(g);
    const own = await add({ kind: 'project', project: c }, { issuer: iss, claims: { project_path: 'shared/lib' } });
    const inherited = await add({ kind: 'group', group: g }, { issuer: iss, claims: { project_path: 'shared/lib' } });
    assert.deepEqual(await pairs(token(iss, { project_path: 'shared/lib' }), { projectId: c.id }), [
      [own.id, c.id],
      [inherited.id, c.id],
    ]);
  });

  it('knows the trusted issuers and their audiences', async () => {
    const iss = issuer();
    assert.equal(await isTrustedIssuer(db, iss), false);
    assert.deepEqual(await audiencesOf(db, iss), []);
    const p = await project();
    const first = await add({ kind: 'project', project: p }, { issuer: iss });
    await add({ kind: 'group', group: await group() }, { issuer: iss, audience: 'trove-ci' });
    await add({ kind: 'project', project: p }, { issuer: iss, claims: { project_path: 'acme/other' } });
    assert.equal(await isTrustedIssuer(db, iss), true);
    const at = new Date('2026-03-01T10:00:00.000Z');
    await db.transaction().execute((trx) => recordPublisherUse(trx, first.id, at));
    assert.equal((await db.selectFrom('trusted_publishers').select('last_used_at').where('id', '=', first.id).executeTakeFirstOrThrow()).last_used_at, at.toISOString());
    assert.equal(await isTrustedIssuer(db, `${iss}/`), false);
    assert.equal(await isTrustedIssuer(db, `${iss}${'x'.repeat(100_000)}`), false, 'an issuer longer than any stored');
    assert.deepEqual(await audiencesOf(db, iss), [AUDIENCE, 'trove-ci'].sort());
    await updatePublisher(db, audit, ctx, { kind: 'project', project: p }, first.id, { audience: 'changed' }, options);
    assert.deepEqual(await audiencesOf(db, iss), [AUDIENCE, 'changed', 'trove-ci'].sort());
  });

  it('limits what a publisher covers to its type and name pattern', () => {
    const base: TrustedPublisher = { id: 1, project_id: 1, group_id: null, issuer: 'https://gitlab.com', audience: AUDIENCE, claims: {}, package_type: null, package_name_pattern: null, created_at: '', updated_at: '' };
    assert.equal(publisherCovers(base, { format: 'npm', name: 'anything' }), true);
    assert.equal(publisherCovers({ ...base, package_type: 'pypi' }, { format: 'npm', name: 'x' }), false);
    assert.equal(publisherCovers({ ...base, package_type: 'npm', package_name_pattern: '@acme/*' }, { format: 'npm', name: '@acme/ui' }), true);
    assert.equal(publisherCovers({ ...base, package_name_pattern: '@acme/*' }, { format: 'npm', name: '@evil/ui' }), false);
  });

  it('records each change with before/after, and goes with its project or group', async () => {
    const iss = issuer();
    const g = await group();
    const p = await project(g);
    const owner: PublisherOwner = { kind: 'project', project: p };
    const publisher = await add(owner, { issuer: iss });
    await updatePublisher(db, audit, ctx, owner, publisher.id, { claims: { project_path: 'acme/app' } }, options);
    await updatePublisher(db, audit, ctx, owner, publisher.id, { claims: { project_path: 'acme/app', ref: 'main' } }, options);
    await assert.rejects(updatePublisher(db, audit, ctx, owner, publisher.id, { claims: { ref: 'main' } }, options), { statusCode: 400 });
    await deletePublisher(db, audit, ctx, owner, publisher.id);
    const events = await db.selectFrom('audit_events').selectAll().where('event_name', 'like', 'trusted_publisher_%').where('project_id', '=', p.id).orderBy('id').execute();
    assert.deepEqual(
      events.map((e) => e.event_name),
      ['trusted_publisher_created', 'trusted_publisher_updated', 'trusted_publisher_deleted'],
      'a change that changes nothing records nothing',
    );
    assert.deepEqual(JSON.parse(events[1].record).changes, { claims: { from: { project_path: 'acme/app' }, to: { project_path: 'acme/app', ref: 'main' } } });

    await add(owner, { issuer: iss });
    await add({ kind: 'group', group: g }, { issuer: iss });
    const packages = new PackageService(db, audit);
    await deleteProject(db, by(), packages, p);
    assert.equal((await db.selectFrom('trusted_publishers').select('id').where('issuer', '=', iss).execute()).length, 1);
    await deleteGroup(db, by(), packages, g);
    assert.equal(await isTrustedIssuer(db, iss), false);
  });
});
