import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks 1.0: the secret is "whsec_" + base64 of the key bytes; the signature header is
// "v1," + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")).

const PREFIX = 'whsec_';
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;

export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** The key bytes of a well-formed secret, or null. */
export function secretKey(secret: string): Buffer | null {
  if (!secret.startsWith(PREFIX)) return null;
  const encoded = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= SECRET_MIN_BYTES && key.length <= SECRET_MAX_BYTES ? key : null;
}

export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = secretKey(secret);
  if (!key) throw new Error('malformed streaming secret');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * GitLab's X-Gitlab-Event-Streaming-Token: receivers written for GitLab compare it with the token
 * they were given. Derived from the secret rather than the secret itself, so a proxy that logs
 * headers learns nothing that lets it sign.
 */
export function verificationToken(secret: string): string {
  const key = secretKey(secret);
  if (!key) throw new Error('malformed streaming secret');
  return createHmac('sha256', key).update('gitlab-event-streaming-token').digest('base64url').slice(0, 24);
}
