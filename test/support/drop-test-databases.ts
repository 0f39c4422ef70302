import pg from 'pg';
import { KEEP_TEMP } from './temp-dir.js';
import { TEST_DATABASE_PREFIXES, TEST_POSTGRES_URL } from './test-database.js';

// Drops test databases (test-database.ts) on the server TROVE_TEST_POSTGRES_URL names:
//   node --import tsx test/support/drop-test-databases.ts --pid N   those of process N (at its end)
//   node --import tsx test/support/drop-test-databases.ts           those of every process that no
//                                        longer runs (killed tests; scripts/test.sh, before and after)
// Databases of running processes stay: another checkout may be running tests on the same server.

const NAME = new RegExp(`^(?:${TEST_DATABASE_PREFIXES.join('|')})(\\d+)_[0-9a-f]+$`);

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process
  }
}

async function main(): Promise<void> {
  if (!TEST_POSTGRES_URL || KEEP_TEMP) return;
  const pidArg = process.argv.indexOf('--pid');
  const only = pidArg >= 0 ? Number(process.argv[pidArg + 1]) : undefined;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database');
    for (const { datname } of rows) {
      const match = NAME.exec(datname);
      if (!match) continue;
      const pid = Number(match[1]);
      if (only === undefined ? running(pid) : pid !== only) continue;
      try {
        // FORCE (PostgreSQL 13+): a Trove the test left running loses its connections.
        await client.query(`drop database if exists "${datname}" with (force)`);
      } catch (error) {
        process.stderr.write(`drop-test-databases: ${datname}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await client.end();
  }
}

await main();
