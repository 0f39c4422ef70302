import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../storage/db/database.js';
import { nowIso } from '../clock.js';
import type { User } from '../accounts/users.js';
import { isExpired } from '../tokens/expiry.js';
import type { PersonalAccessToken, Principal } from '../tokens/principal.js';
import { tokenDigest } from '../tokens/token-secrets.js';

// Web UI sessions: the cookie carries a random secret, the database its SHA-256 (as for tokens).
// The CSRF token is derived from the secret, so nothing else is stored and every Trove process
// can check it; a page script reads it from GET /api/v4/session, another site cannot.

export const SESSION_PREFIX = 'trove-session-';

export interface NewSession {
  secret: string;
  csrfToken: string;
  expiresAt: string;
}

export function csrfTokenFor(secret: string): string {
  return createHash('sha256').update(`trove-csrf:${secret}`, 'utf8').digest('base64url');
}

export function csrfTokenMatches(secret: string, presented: string): boolean {
  const expected = Buffer.from(csrfTokenFor(secret));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Starts a session for `user` (acting with `token`'s rights when it was a token sign-in). */
export async function createWebSession(db: Db, user: User, token: PersonalAccessToken | null, ttlMs: number): Promise<NewSession> {
  const secret = SESSION_PREFIX + randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  // Expired sessions are useless; removing them here keeps the table small without a job.
  await db.deleteFrom('web_sessions').where('expires_at', '<', now.toISOString()).execute();
  await db
    .insertInto('web_sessions')
    .values({ session_digest: tokenDigest(secret), user_id: user.id, personal_access_token_id: token?.id ?? null, created_at: now.toISOString(), expires_at: expiresAt })
    .execute();
  return { secret, csrfToken: csrfTokenFor(secret), expiresAt };
}

export async function deleteWebSession(db: Db, secret: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('session_digest', '=', tokenDigest(secret)).execute();
}

/**
 * The principal a session cookie stands for, or null when the session is unknown, expired, its
 * user blocked, or its token revoked or expired. A password session has every scope (token null);
 * a token session has exactly the token's.
 */
export async function principalOfSession(db: Db, secret: string): Promise<{ principal: Principal; expiresAt: string } | null> {
  if (!secret.startsWith(SESSION_PREFIX) || secret.length > 128) return null;
  const session = await db.selectFrom('web_sessions').selectAll().where('session_digest', '=', tokenDigest(secret)).executeTakeFirst();
  if (!session || session.expires_at <= nowIso()) return null;
  const user = await db.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
  if (!user || user.state !== 'active') return null;
  if (session.personal_access_token_id === null) return { principal: { kind: 'user', user, token: null, scopes: [] }, expiresAt: session.expires_at };
  const token = await db.selectFrom('personal_access_tokens').selectAll().where('id', '=', session.personal_access_token_id).executeTakeFirst();
  if (!token || token.revoked || isExpired(token.expires_at)) return null;
  return { principal: { kind: 'user', user, token, scopes: JSON.parse(token.scopes) as string[] }, expiresAt: session.expires_at };
}
