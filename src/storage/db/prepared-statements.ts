import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

// PostgreSQL: every query with parameters runs as a named prepared statement, so each connection
// parses and plans a statement's text once, not on every request. Measured on a package publish
// (pg_stat_statements, track_planning): planning cost PostgreSQL more than executing for most of
// a write's ~25 statements, and the server's CPU, shared with Trove's processes on the same
// machine, bounded the publishes per second of a scale-out (docs/operations.md#scale-out-on-postgresql).
//
// A name stands for one text in this process (pg checks that), so a connection that prepared it
// runs it again with Bind and Execute only. Texts are numbered as they come, up to a bound: a
// query of a shape that varies without end (a list of values of any length) beyond it runs
// unnamed, as before. Statements without parameters may hold several commands (migrations), which
// only the simple protocol takes: they run unnamed.
//
// A prepared `select *` fails once its table's columns change ("cached plan must not change
// result type"), as when a newer Trove process migrates the database while this one still runs:
// that one query fails, and its text gets a new name, prepared again on first use.

/** Distinct texts named per process; about 25 shapes make a publish, a few hundred cover every route. */
const MAX_NAMED = 2000;

class StatementNames {
  private readonly names = new Map<string, string>();
  private renamed = 0;

  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED) {
      name = `trove_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** Gives the text a new name when it is next used (its plan went stale). */
  forget(text: string): void {
    if (this.names.has(text)) this.names.set(text, `trove_renamed_${++this.renamed}`);
  }
}

/** PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared. */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

/** A pool whose clients run parameterised queries as named prepared statements (see above). */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new StatementNames();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      return {
        query: ((textOrCursor: unknown, parameters?: readonly unknown[]) => {
          if (typeof textOrCursor === 'string' && parameters && parameters.length > 0) {
            const name = names.nameOf(textOrCursor);
            if (name) {
              return client.query({ name, text: textOrCursor, values: parameters as unknown[] }).catch((error: unknown) => {
                if (isStalePlan(error)) names.forget(textOrCursor);
                throw error;
              });
            }
          }
          return client.query(textOrCursor as string, parameters as unknown[]);
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
