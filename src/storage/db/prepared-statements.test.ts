import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { freshDatabaseUrl, TEST_BACKEND } from '../../../test/support/test-database.js';
import { openDatabase, type Db } from './database.js';

// PostgreSQL runs parameterised queries as named prepared statements (prepared-statements.ts).
// Against a real PostgreSQL server, on the PostgreSQL run.

describe('prepared statements on PostgreSQL', { skip: TEST_BACKEND !== 'postgres' && 'PostgreSQL only' }, () => {
  let db: Db;

  before(async () => {
    db = openDatabase({ sqliteFile: '', postgresUrl: await freshDatabaseUrl() });
    await sql`create table things (id integer primary key, name text)`.execute(db);
    await sql`insert into things values (1, 'one'), (2, 'two')`.execute(db);
  });

  after(async () => {
    await db?.destroy();
  });

  it('runs a parameterised query as a prepared statement, prepared once per connection', async () => {
    await db.connection().execute(async (connection) => {
      for (const id of [1, 2, 1]) assert.equal((await sql<{ id: number }>`select * from things where id = ${id}`.execute(connection)).rows[0]!.id, id);
      const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(connection);
      assert.equal(prepared.rows.filter((row) => row.statement.includes('from things where id')).length, 1);
    });
  });

  it('survives a change of the columns under a prepared select *: that query fails once, then runs prepared again', async () => {
    await db.connection().execute(async (connection) => {
      const run = (id: number) => sql<Record<string, unknown>>`select * from things where id = ${id}`.execute(connection);
      assert.deepEqual((await run(1)).rows, [{ id: 1, name: 'one' }]);
      await sql`alter table things add column size integer`.execute(connection);
      await assert.rejects(run(1), /cached plan must not change result type/);
      assert.deepEqual((await run(2)).rows, [{ id: 2, name: 'two', size: null }]);
    });
  });
});
