import type { Db } from '../../storage/db/database.js';
import type { User } from '../accounts/users.js';
import { verifyPassword } from '../accounts/passwords.js';
import type { AuditLog } from '../audit/audit-log.js';
import { userScope } from '../audit/audit-scope.js';
import type { AuditContext } from '../audit/audit-types.js';
import { errors } from '../errors.js';
import { authenticateToken, type AuthOutcome } from '../tokens/authenticate.js';
import type { PersonalAccessToken, Principal } from '../tokens/principal.js';
import { clearSignInFailures, recordSignInFailure, signInRetryAfter, type SignInThrottleLimits } from './sign-in-throttle.js';
import { createWebSession, type NewSession } from './web-sessions.js';

// Web UI sign-in: with a login (username or email) and password, or with a personal access token.
// Password guessing is throttled per login and IP address (sign-in-throttle.ts); a refused attempt
// is reported to the caller, which records `authentication_failed` for it.

/** A signed-in user: with a token sign-in, acting with the token's rights. */
export type SignedIn = Extract<Principal, { kind: 'user' }>;

/** A refused attempt, for the audit log. */
export type SignInRefusal = Extract<AuthOutcome, { ok: false }>;

// Verified when the login is unknown, so that the answer takes as long as for a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

async function userByLogin(db: Db, login: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('username', '=', login), eb('email', '=', login)]))
    .executeTakeFirst();
}

/** Checks a login and password (throttled: 429 while too many recent failures, even for the right password). */
export async function passwordSignIn(
  db: Db,
  limits: SignInThrottleLimits,
  attempt: { login: string; password: string; ipAddress: string },
  /** `login`: the known user's username, else what was typed (the throttle's key). */
  report: (refusal: SignInRefusal, login: string) => Promise<void>,
): Promise<SignedIn> {
  const { login, password } = attempt;
  const user = await userByLogin(db, login);
  // A known user is one key whether the guesser types the username or the email.
  const key = { login: user?.username ?? login, ipAddress: attempt.ipAddress };
  const refuse = (reason: string) =>
    report({ ok: false, reason, tokenType: 'Password', tokenId: null, userId: user?.id ?? null, username: user?.username ?? login.slice(0, 255) }, key.login);
  const retryAfter = await signInRetryAfter(db, limits, key);
  if (retryAfter !== null) {
    await refuse('too many failed sign-ins');
    throw errors.tooManyRequests(retryAfter, `429 Too Many Requests - too many failed sign-ins, try again in ${Math.ceil(retryAfter / 60)} min`);
  }
  const matches = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  // A deleted user has no password left: say so, not "wrong password". A blocked user's right
  // password is worth recording as such (someone holds it).
  const reason = !user ? 'unknown login' : user.state === 'deleted' ? 'user deleted' : !matches ? 'wrong password' : user.state !== 'active' ? 'user blocked' : null;
  if (reason === null && user) {
    await clearSignInFailures(db, key);
    return { kind: 'user', user, token: null, scopes: [] };
  }
  await recordSignInFailure(db, limits, key);
  await refuse(reason ?? 'unknown login');
  throw errors.unauthorized('401 Unauthorized - invalid login or password');
}

/** Checks a personal access token: the session acts with its rights and its events name it. */
export async function tokenSignIn(db: Db, secret: string, report: (refusal: SignInRefusal) => Promise<void>): Promise<SignedIn & { token: PersonalAccessToken }> {
  const outcome = await authenticateToken(db, secret);
  if (!outcome.ok) {
    await report(outcome);
    throw errors.unauthorized('401 Unauthorized - invalid token');
  }
  const { principal } = outcome;
  // Deploy and job tokens cannot use the REST API, so they cannot open a UI session either.
  if (principal.kind !== 'user' || principal.token === null) throw errors.unauthorized('401 Unauthorized - only personal access tokens can sign in');
  return { ...principal, token: principal.token };
}

/** Starts the web session of a signed-in user and records `user_signed_in` (docs/architecture.md#what-is-recorded) on the user, in one transaction. */
export async function startWebSession(db: Db, audit: AuditLog, ctx: AuditContext, signedIn: SignedIn, ttlMs: number): Promise<NewSession> {
  const { user, token } = signedIn;
  return db.transaction().execute(async (tx) => {
    const session = await createWebSession(tx, user, token, ttlMs);
    await audit.record(tx, ctx, {
      eventName: 'user_signed_in',
      scope: userScope(user),
      target: { id: user.id, type: 'User', details: user.username },
      customMessage: token ? `Signed in to the web UI with personal access token "${token.name}"` : 'Signed in to the web UI with a password',
    });
    return session;
  });
}
