import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { tempDir } from '../../../../test/support/temp-dir.js';
import { openDatabase } from '../database.js';

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

describe('SQLite group commit', () => {
  const open = async (onSqliteCommit?: (n: number) => void) => {
    const db = openDatabase({ sqliteFile: join(tempDir('trove-sqlite-'), 'trove.db'), onSqliteCommit });
    await sql`create table t (who text not null)`.execute(db);
    await sql`create table counter (n integer not null)`.execute(db);
    await sql`insert into counter (n) values (0)`.execute(db);
    return db;
  };
  const count = async (db: Awaited<ReturnType<typeof open>>) => (await sql<{ c: number }>`select count(*) as c from t`.execute(db)).rows[0].c;

  it('concurrent transactions share COMMITs, and each stays serializable', async () => {
    const commits: number[] = [];
    const db = await open((n) => commits.push(n));
    commits.length = 0;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        db.transaction().execute(async (tx) => {
          const { n } = (await sql<{ n: number }>`select n from counter`.execute(tx)).rows[0];
          await new Promise((resolve) => setImmediate(resolve));
          await sql`update counter set n = ${n + 1}`.execute(tx);
        }),
      ),
    );
    assert.equal((await sql<{ n: number }>`select n from counter`.execute(db)).rows[0].n, 40, 'no lost update');
    assert.equal(commits.reduce((a, b) => a + b, 0), 40, 'every transaction was committed once');
    assert.ok(commits.length < 40, `40 transactions took ${commits.length} COMMITs`);
    await db.destroy();
  });

  it('a failing transaction in a batch rolls back alone', async () => {
    const db = await open();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db.transaction().execute(async (tx) => {
          await sql`insert into t (who) values (${`tx${i}`})`.execute(tx);
          await new Promise((resolve) => setImmediate(resolve));
          if (i === 4) throw new Error('refused');
        }),
      ),
    );
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const rows = await sql<{ who: string }>`select who from t order by rowid`.execute(db);
    assert.deepEqual(rows.rows.map((r) => r.who), ['tx0', 'tx1', 'tx2', 'tx3', 'tx5', 'tx6', 'tx7', 'tx8', 'tx9']);
    await db.destroy();
  });

  it('reads outside a transaction see only committed rows, and do not wait for an open transaction', async () => {
    const db = await open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertDone = new Promise<void>((resolve) => (inserted = resolve));
    const writing = db.transaction().execute(async (tx) => {
      await sql`insert into t (who) values ('pending')`.execute(tx);
      inserted();
      await held;
    });
    await insertDone;
    // With one shared connection this read would wait for the transaction above, which waits for us.
    assert.equal(await count(db), 0, 'the uncommitted row is invisible');
    release();
    await writing;
    assert.equal(await count(db), 1, 'visible once execute() resolved');
    await db.destroy();
  });

  it('a write outside a transaction commits the open batch before it and is durable on return', async () => {
    const db = await open();
    await Promise.all([
      db.transaction().execute(async (tx) => void (await sql`insert into t (who) values ('in-tx')`.execute(tx))),
      sql`insert into t (who) values ('plain')`.execute(db),
      db.transaction().execute(async (tx) => void (await sql`insert into t (who) values ('in-tx-2')`.execute(tx))),
    ]);
    assert.equal(await count(db), 3);
    await db.destroy();
  });

  it('streams rows on a connection of their own while other reads run', async () => {
    const db = await open();
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 50; i++) await sql`insert into t (who) values (${`r${i}`})`.execute(tx);
    });
    const seen: string[] = [];
    for await (const row of db.selectFrom('t' as never).select('who' as never).stream() as AsyncIterable<{ who: string }>) {
      seen.push(row.who);
      assert.equal(await count(db), 50);
    }
    assert.equal(seen.length, 50);
    await db.destroy();
  });
});
