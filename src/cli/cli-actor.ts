import { hostname, userInfo } from 'node:os';
import { systemAuditContext, type AuditContext } from '../core/audit/audit-types.js';

/** The operating-system account running the CLI; a uid without a passwd entry falls back to $USER, then to the uid. */
function operatingSystemUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Changes made with the CLI name who ran it and where (`trove CLI as alice@build-01`): whoever
 * can run it can write the database directly, so the OS account is the accountable person.
 */
export function cliAuditContext(): AuditContext {
  return systemAuditContext(`trove CLI as ${operatingSystemUser()}@${hostname()}`);
}
