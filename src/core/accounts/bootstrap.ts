import type { Db } from '../../storage/db/database.js';
import { withStartupLock } from '../../storage/db/startup-lock.js';
import type { AuditLog } from '../audit/audit-log.js';
import { systemAuditContext } from '../audit/audit-types.js';
import { createPersonalAccessToken } from '../tokens/personal-access-tokens.js';
import { createUser } from './users.js';

export interface BootstrapResult {
  /** The root token, returned only when Trove generated it (to print once); null if it came from the environment. */
  generatedToken: string | null;
}

/**
 * On the very first start (no users yet) creates the `root` administrator and a personal
 * access token for it: TROVE_ROOT_TOKEN if set, otherwise a random one shown once.
 */
export async function bootstrapRoot(
  db: Db,
  audit: AuditLog,
  options: { rootPassword?: string; rootToken?: string },
): Promise<BootstrapResult | null> {
  // Processes starting together on one PostgreSQL database: only the first creates root.
  return withStartupLock(db, () => bootstrapOnce(db, audit, options));
}

async function bootstrapOnce(
  db: Db,
  audit: AuditLog,
  options: { rootPassword?: string; rootToken?: string },
): Promise<BootstrapResult | null> {
  const anyUser = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null;
  const context = systemAuditContext('Trove bootstrap');
  const root = await createUser(db, audit, context, {
    username: 'root',
    name: 'Administrator',
    email: 'root@localhost',
    password: options.rootPassword,
    isAdmin: true,
  });
  const { secret } = await createPersonalAccessToken(db, audit, context, root, {
    name: 'bootstrap',
    scopes: ['api'],
    secret: options.rootToken,
  });
  return { generatedToken: options.rootToken ? null : secret };
}
