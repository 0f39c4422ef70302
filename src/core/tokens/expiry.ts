import { errors } from '../errors.js';

/** Accepts GitLab's `expires_at` (YYYY-MM-DD or an ISO timestamp) or nothing; refuses dates in the past. */
export function parseExpiresAt(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw errors.badRequest('expires_at is invalid');
  }
  if (expiryInstant(value) <= Date.now()) throw errors.badRequest('expires_at must be in the future');
  return value;
}

/** A date-only expiry is valid through the end of that day (UTC), as in GitLab. */
export function expiryInstant(expiresAt: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(expiresAt) ? Date.parse(`${expiresAt}T23:59:59.999Z`) : Date.parse(expiresAt);
}

export function isExpired(expiresAt: string | null, now = Date.now()): boolean {
  return expiresAt !== null && expiryInstant(expiresAt) < now;
}
