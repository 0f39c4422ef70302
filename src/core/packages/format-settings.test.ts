import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { tempDir } from '../../../test/support/temp-dir.js';
import { freshDatabaseUrl } from '../../../test/support/test-database.js';
import { migrateBefore, migrateToLatest, openDatabase, type Db } from '../../storage/db/database.js';
import { getRow } from '../../storage/db/row-lookup.js';
import { formatSettingsOf, type BooleanFormatSetting, type RegexFormatSetting } from './format-settings.js';

// Migration 021 turns the stored value into text (yes/no as 'true'/'false', a pattern as itself):
// yes/no values set before it read the same after it, on SQLite (table rebuilt) and PostgreSQL
// (column type changed), and a pattern can be stored next to them.

const ALLOWED: BooleanFormatSetting = { kind: 'boolean', key: 'generic_duplicates_allowed', description: '', default: false };
const OTHER: BooleanFormatSetting = { kind: 'boolean', key: 'other_allowed', description: '', default: true };
const REGEX: RegexFormatSetting = { kind: 'regex', key: 'generic_duplicate_exception_regex', description: '', default: '' };

describe('format settings stored before migration 021', () => {
  let db: Db;
  const namespace = (path: string) => getRow(db, 'namespaces', { full_path: path });

  before(async () => {
    db = openDatabase({ sqliteFile: join(tempDir('trove-format-settings-'), 'trove.db'), postgresUrl: await freshDatabaseUrl() });
    await migrateBefore(db, '021-format-setting-text-values');
    await sql`INSERT INTO namespaces (kind, name, path, full_path, visibility, description, package_audit_events, package_download_events, created_at)
              VALUES ('group', 'corp', 'corp', 'corp', 'private', '', 'inherit', 'inherit', '2026-01-01T00:00:00.000Z')`.execute(db);
    const corp = await namespace('corp');
    await sql`INSERT INTO namespace_format_settings (namespace_id, key, value) VALUES (${corp.id}, 'generic_duplicates_allowed', 1), (${corp.id}, 'other_allowed', 0)`.execute(db);
    await migrateToLatest(db);
  });

  after(async () => {
    await db?.destroy();
  });

  it('keeps the yes/no values set before it, and stores a pattern next to them', async () => {
    const corp = await namespace('corp');
    await db.insertInto('namespace_format_settings').values({ namespace_id: corp.id, key: REGEX.key, value: '^1\\.' }).execute();
    assert.deepEqual(await formatSettingsOf(db, corp, [ALLOWED, OTHER, REGEX]), {
      generic_duplicates_allowed: true,
      generic_duplicates_allowed_effective: true,
      generic_duplicates_allowed_source: 'corp',
      other_allowed: false,
      other_allowed_effective: false,
      other_allowed_source: 'corp',
      generic_duplicate_exception_regex: '^1\\.',
      generic_duplicate_exception_regex_effective: '^1\\.',
      generic_duplicate_exception_regex_source: 'corp',
    });
  });

  it('still removes a namespace’s settings with the namespace', async () => {
    const corp = await namespace('corp');
    await db.deleteFrom('namespaces').where('id', '=', corp.id).execute();
    assert.equal((await db.selectFrom('namespace_format_settings').selectAll().execute()).length, 0);
  });
});
