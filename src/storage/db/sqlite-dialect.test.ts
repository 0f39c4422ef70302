import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openDatabase } from './database.js';

// Another process (the `trove` CLI next to a running server) writes while one of our transactions
// sits between its read and its write. With a deferred `begin` SQLite refuses our write at once
// (SQLITE_BUSY, busy_timeout does not apply); with `begin immediate` the other writer waits.
const OTHER_WRITER = `
import Database from 'better-sqlite3';
import { createInterface } from 'node:readline';
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 5000');
console.log('ready');
for await (const _ of createInterface({ input: process.stdin })) {
  try { db.prepare("insert into t (who) values ('other')").run(); console.log('written'); }
  catch (error) { console.log('refused ' + error.code); }
  process.exit(0);
}`;

describe('SQLite transactions take the write lock up front', () => {
  it('a read-then-write transaction survives another process writing in between', async () => {
    const file = join(tempDir('trove-sqlite-'), 'trove.db');
    const db = openDatabase({ sqliteFile: file });
    await sql`create table t (who text not null)`.execute(db);

    const other = spawn(process.execPath, ['--input-type=module', '-e', OTHER_WRITER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: other.stdout })[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'ready');

    let answer: Promise<IteratorResult<string>> = Promise.resolve({ done: true, value: undefined });
    await db.transaction().execute(async (tx) => {
      await sql`select count(*) from t`.execute(tx);
      other.stdin.write('go\n');
      answer = lines.next();
      // Give the other process time to write (deferred begin) or to start waiting for our lock.
      await Promise.race([answer, new Promise((resolve) => setTimeout(resolve, 500))]);
      await sql`insert into t (who) values ('us')`.execute(tx);
    });

    assert.equal((await answer).value, 'written', 'the other writer waited for our commit, then wrote');
    const rows = await sql<{ who: string }>`select who from t order by rowid`.execute(db);
    assert.deepEqual(rows.rows.map((r) => r.who), ['us', 'other']);
    await db.destroy();
  });
});
