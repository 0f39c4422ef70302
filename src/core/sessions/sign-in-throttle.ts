import type { Db } from '../../storage/db/database.js';

// Password guessing: after `maxFailures` failed sign-ins for one login from one IP address within
// `windowMs`, further attempts are refused (429) until the oldest of those failures leaves the
// window, as GitLab's failed-authentication ban does. The failures live in the database, so every
// Trove process on it counts the same attempts. Refused attempts are not counted: a locked-out
// user waits out the window, however often a guesser keeps knocking.

export interface SignInThrottleLimits {
  maxFailures: number;
  windowMs: number;
}

export interface SignInKey {
  login: string;
  ipAddress: string;
}

const keyOf = (key: SignInKey) => ({ login: key.login.toLowerCase().slice(0, 255), ip: key.ipAddress.slice(0, 64) });

/** Seconds until `key` may try again, or null when it may try now. */
export async function signInRetryAfter(db: Db, limits: SignInThrottleLimits, key: SignInKey, now = Date.now()): Promise<number | null> {
  const { login, ip } = keyOf(key);
  const recent = await db
    .selectFrom('sign_in_failures')
    .select('failed_at')
    .where('login', '=', login)
    .where('ip_address', '=', ip)
    .where('failed_at', '>', new Date(now - limits.windowMs).toISOString())
    .orderBy('failed_at', 'desc')
    .limit(limits.maxFailures)
    .execute();
  if (recent.length < limits.maxFailures) return null;
  // Once the oldest of the last maxFailures failures is out of the window, fewer than maxFailures remain.
  const freeAt = Date.parse(recent[recent.length - 1].failed_at) + limits.windowMs;
  return Math.max(1, Math.ceil((freeAt - now) / 1000));
}

export async function recordSignInFailure(db: Db, limits: SignInThrottleLimits, key: SignInKey, now = Date.now()): Promise<void> {
  const { login, ip } = keyOf(key);
  // Failures older than the window no longer count: dropping them here keeps the table small without a job.
  await db.deleteFrom('sign_in_failures').where('failed_at', '<=', new Date(now - limits.windowMs).toISOString()).execute();
  await db.insertInto('sign_in_failures').values({ login, ip_address: ip, failed_at: new Date(now).toISOString() }).execute();
}

/** A successful sign-in starts the count afresh for its login and address. */
export async function clearSignInFailures(db: Db, key: SignInKey): Promise<void> {
  const { login, ip } = keyOf(key);
  await db.deleteFrom('sign_in_failures').where('login', '=', login).where('ip_address', '=', ip).execute();
}
