import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { AuditLog } from './audit-log.js';
import type { AuditContext } from './audit-types.js';
import { canonicalJson } from './seal/canonical-json.js';

// The stored record is the RFC 8785 text its leaf hash is taken of (SPEC 4.8), so anyone holding
// a row can check it with any SHA-256 tool. Against a real database (SQLite, or PostgreSQL on the
// PostgreSQL run).

describe('AuditLog stores each record in its canonical form', () => {
  let db: Db;

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-audit-log-unit-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateToLatest(db);
  });

  after(async () => {
    await db?.destroy();
  });

  it('record is canonical JSON and leaf_hash is SHA-256(0x00 || record)', async () => {
    const audit = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'disabled' });
    const ctx: AuditContext = {
      actor: { type: 'deploy_token', user_id: null, username: 'trove+deploy-token-5', token_id: 5, token_name: 'release-bot ✓', token_owner_path: 'acme/web-app' },
      via: 'pipeline',
      client: { name: 'npm', version: '11.6.2' },
      userAgent: 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false',
      ipAddress: '127.0.0.1',
      requestId: 'r1',
      pipeline: { id: 881, job_id: 4, project_path: 'acme/web-app', ref: 'main', sha: '3f2a1c9', url: null },
    };
    const scope = { entityType: 'Group' as const, entityId: 7, entityPath: 'acme', settingNamespaceId: null };
    const pkg = { id: 311, format: 'npm', name: '@acme/ui-kit', version: '1.4.0', files: [{ file_name: 'ui-kit-1.4.0.tgz', size: 48213, sha256: 'a'.repeat(64) }] };
    const recorded = await db.transaction().execute((tx) =>
      audit.recordBatch(tx, [
        { ctx, input: { eventName: 'package_registry_package_published', scope, package: pkg, target: { id: 311, type: 'Packages::Package', details: 'acme/web-app/@acme/ui-kit-1.4.0' }, customMessage: 'npm package published' } },
        { ctx, input: { eventName: 'package_registry_package_tag_updated', scope, package: pkg, target: { id: 311, type: 'Packages::Tag', details: 'acme/web-app/@acme/ui-kit@latest' }, customMessage: 'npm tag "latest" set to 1.4.0', changes: { latest: { from: '1.3.9', to: '1.4.0' } } } },
      ]),
    );
    assert.equal(recorded.length, 2);
    const rows = await db.selectFrom('audit_events').select(['id', 'record', 'leaf_hash']).orderBy('id').execute();
    assert.equal(rows.length, 2);
    for (const [i, row] of rows.entries()) {
      assert.deepEqual(JSON.parse(row.record), recorded[i], 'the stored record is the one returned');
      assert.equal(row.record, canonicalJson(JSON.parse(row.record)), 'stored in RFC 8785 form');
      assert.equal(row.leaf_hash, createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(row.record, 'utf8')])).digest('hex'));
    }
  });
});
