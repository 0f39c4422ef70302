import { Command } from 'commander';
import { registerAuditCommands } from './audit-commands.js';
import { registerAuditVerifyCommands } from './audit-verify-commands.js';
import { cliAuditContext } from './cli-actor.js';
import { loadConfig } from '../config/config.js';
import { AuditLog } from '../core/audit/audit-log.js';
import { findUserByUsername, createUser } from '../core/accounts/users.js';
import { createPersonalAccessToken } from '../core/tokens/personal-access-tokens.js';
import { migrateToLatest, openDatabase, type Db } from '../storage/db/database.js';

// `trove` administers the instance in the data folder (TROVE_DATA_DIR). Changes made here are
// audited with a system actor naming the CLI and who ran it (cli-actor.ts).

async function withDatabase<T>(work: (db: Db, audit: AuditLog) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = openDatabase({ sqliteFile: config.databaseFile, postgresUrl: config.databaseUrl });
  try {
    await migrateToLatest(db);
    const audit = new AuditLog({ package_audit_events: config.packageAuditEventsDefault, package_download_events: 'disabled' });
    return await work(db, audit);
  } finally {
    await db.destroy();
  }
}

const program = new Command();
program.name('trove').description('Trove: a package registry with a compliance-grade audit trail').version('0.1.0');

program
  .command('serve')
  .description('start the server (same as npm start)')
  .action(async () => {
    const { serve } = await import('../main.js');
    await serve();
  });

program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => {
    const applied = await withDatabase((db) => migrateToLatest(db));
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });

const user = program.command('user').description('manage users');
user
  .command('create')
  .description('create a user')
  .requiredOption('--username <username>')
  .requiredOption('--email <email>')
  .option('--name <name>')
  .option('--password <password>', 'at least 8 characters (or TROVE_USER_PASSWORD)')
  .option('--admin', 'make the user an administrator', false)
  .action(async (options: { username: string; email: string; name?: string; password?: string; admin: boolean }) => {
    const created = await withDatabase((db, audit) =>
      createUser(db, audit, cliAuditContext(), {
        username: options.username,
        email: options.email,
        name: options.name,
        password: options.password ?? process.env.TROVE_USER_PASSWORD,
        isAdmin: options.admin,
      }),
    );
    console.log(JSON.stringify({ id: created.id, username: created.username, is_admin: created.is_admin === 1 }));
  });

const token = program.command('token').description('manage personal access tokens');
token
  .command('create')
  .description('create a personal access token for a user and print it once')
  .requiredOption('--username <username>')
  .requiredOption('--name <name>')
  .option('--scopes <scopes>', 'comma-separated: api, read_api, read_package_registry, write_package_registry, read_registry, write_registry', 'api')
  .option('--expires-at <date>', 'YYYY-MM-DD')
  .action(async (options: { username: string; name: string; scopes: string; expiresAt?: string }) => {
    const secret = await withDatabase(async (db, audit) => {
      const owner = await findUserByUsername(db, options.username);
      if (!owner) throw new Error(`no user named ${options.username}`);
      const created = await createPersonalAccessToken(db, audit, cliAuditContext(), owner, {
        name: options.name,
        scopes: options.scopes.split(',').map((s) => s.trim()),
        expires_at: options.expiresAt,
      });
      return created.secret;
    });
    console.log(secret);
  });

registerAuditCommands(program, withDatabase);
registerAuditVerifyCommands(program);

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`trove: ${error.message}`);
  process.exit(1);
});
