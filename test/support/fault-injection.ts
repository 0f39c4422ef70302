import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TEST_BACKEND } from './test-database.js';
import type { RunningTrove } from './trove-process.js';

// Forces failures INSIDE the transaction of a running Trove, from the test process, by creating
// triggers in its real database, and reads its rows directly to check what was (not) committed.
// SQLite: the server's trove.db opened alongside it (WAL lets two processes share the file).
// PostgreSQL: the server's own database (RunningTrove.databaseUrl) through `pg`.

/** A table the fault triggers can fire on. */
export type FaultTable = 'audit_events' | 'package_files' | 'audit_stream_outbox';

export interface Fault {
  /** Unique name of the trigger (and, on PostgreSQL, of its function). */
  name: string;
  table: FaultTable;
  /**
   * When the insert must fail: an SQL boolean over the row being inserted (NEW.column), valid in
   * both dialects; it may contain subqueries (evaluated inside the failing transaction).
   */
  when: string;
}

/** Column = value filters, ANDed; the table and column names come from the test, never from input. */
export type Where = Record<string, string | number>;

export interface FaultInjector {
  readonly backend: 'sqlite' | 'postgres';
  /** Every insert into fault.table for which fault.when holds fails with "forced failure". */
  failInserts(fault: Fault): Promise<void>;
  /** Removes the trigger (and function) created by failInserts. */
  removeFault(fault: Fault): Promise<void>;
  /** count(*) of the rows of a table matching every filter. */
  countRows(table: string, where?: Where): Promise<number>;
  /** The parsed `record` JSON of the audit events matching every filter, in id order. */
  auditRecords(where: Where): Promise<any[]>;
  /** Every row of the packages table (id, name, version), in id order. */
  packageRows(): Promise<Array<{ id: number; name: string; version: string }>>;
  /** The sha256 of every package file kept in the database (blob_contents), sorted. */
  inlineBlobs(): Promise<string[]>;
  /** Runs one SQL statement directly, as someone with database access would, bypassing Trove. */
  execute(statement: string): Promise<void>;
  close(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function identifier(name: string): string {
  assert.match(name, IDENTIFIER, `not a plain SQL identifier: ${name}`);
  return name;
}

/** " WHERE a = <p1> AND b = <p2>" with the dialect's placeholders, and its parameters. */
function whereClause(where: Where, placeholder: (index: number) => string): { sql: string; params: Array<string | number> } {
  const entries = Object.entries(where);
  if (entries.length === 0) return { sql: '', params: [] };
  return {
    sql: ` WHERE ${entries.map(([column], i) => `${identifier(column)} = ${placeholder(i + 1)}`).join(' AND ')}`,
    params: entries.map(([, value]) => value),
  };
}

class SqliteFaultInjector implements FaultInjector {
  readonly backend = 'sqlite' as const;

  constructor(private readonly db: Database.Database) {}

  async execute(statement: string): Promise<void> {
    this.db.exec(statement);
  }

  async failInserts(fault: Fault): Promise<void> {
    this.db.exec(`CREATE TRIGGER ${identifier(fault.name)} BEFORE INSERT ON ${identifier(fault.table)}
      WHEN ${fault.when}
      BEGIN SELECT RAISE(ABORT, 'forced failure'); END`);
  }

  async removeFault(fault: Fault): Promise<void> {
    this.db.exec(`DROP TRIGGER ${identifier(fault.name)}`);
  }

  async countRows(table: string, where: Where = {}): Promise<number> {
    const w = whereClause(where, () => '?');
    return (this.db.prepare(`SELECT count(*) AS n FROM ${identifier(table)}${w.sql}`).get(...w.params) as { n: number }).n;
  }

  async auditRecords(where: Where): Promise<any[]> {
    const w = whereClause(where, () => '?');
    const rows = this.db.prepare(`SELECT record FROM audit_events${w.sql} ORDER BY id`).all(...w.params) as Array<{ record: string }>;
    return rows.map((row) => JSON.parse(row.record));
  }

  async packageRows(): Promise<Array<{ id: number; name: string; version: string }>> {
    return this.db.prepare('SELECT id, name, version FROM packages ORDER BY id').all() as Array<{ id: number; name: string; version: string }>;
  }

  async inlineBlobs(): Promise<string[]> {
    return (this.db.prepare('SELECT sha256 FROM blob_contents ORDER BY sha256').all() as Array<{ sha256: string }>).map((row) => row.sha256);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

class PostgresFaultInjector implements FaultInjector {
  readonly backend = 'postgres' as const;

  constructor(private readonly client: pg.Client) {}

  async execute(statement: string): Promise<void> {
    await this.client.query(statement);
  }

  // PostgreSQL does not allow subqueries in a trigger's WHEN clause, so the condition is tested
  // in the plpgsql function instead: same rows fail, same statement, same transaction.
  async failInserts(fault: Fault): Promise<void> {
    const name = identifier(fault.name);
    await this.client.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fault$
      BEGIN
        IF ${fault.when} THEN
          RAISE EXCEPTION 'forced failure';
        END IF;
        RETURN NEW;
      END
      $fault$`);
    await this.client.query(`CREATE TRIGGER ${name} BEFORE INSERT ON ${identifier(fault.table)} FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  }

  async removeFault(fault: Fault): Promise<void> {
    const name = identifier(fault.name);
    await this.client.query(`DROP TRIGGER ${name} ON ${identifier(fault.table)}`);
    await this.client.query(`DROP FUNCTION ${name}()`);
  }

  async countRows(table: string, where: Where = {}): Promise<number> {
    const w = whereClause(where, (i) => `$${i}`);
    const result = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${identifier(table)}${w.sql}`, w.params);
    return Number(result.rows[0]!.n);
  }

  async auditRecords(where: Where): Promise<any[]> {
    const w = whereClause(where, (i) => `$${i}`);
    const result = await this.client.query<{ record: string }>(`SELECT record FROM audit_events${w.sql} ORDER BY id`, w.params);
    return result.rows.map((row) => JSON.parse(row.record));
  }

  async packageRows(): Promise<Array<{ id: number; name: string; version: string }>> {
    const result = await this.client.query<{ id: number; name: string; version: string }>('SELECT id, name, version FROM packages ORDER BY id');
    return result.rows;
  }

  async inlineBlobs(): Promise<string[]> {
    const result = await this.client.query<{ sha256: string }>('SELECT sha256 FROM blob_contents ORDER BY sha256');
    return result.rows.map((row) => row.sha256);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** Opens the database of a running Trove on the backend of this test run. */
export async function openFaultInjector(trove: RunningTrove): Promise<FaultInjector> {
  if (TEST_BACKEND === 'postgres') {
    assert.ok(trove.databaseUrl, 'the PostgreSQL run gives every Trove a database URL');
    const client = new pg.Client({ connectionString: trove.databaseUrl });
    await client.connect();
    return new PostgresFaultInjector(client);
  }
  const db = new Database(join(trove.dataDir, 'trove.db'));
  db.pragma('busy_timeout = 5000');
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  return new SqliteFaultInjector(db);
}
