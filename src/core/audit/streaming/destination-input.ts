import { AUDIT_EVENT_NAMES } from '../../../contracts/audit-event-names.js';
import { errors } from '../../errors.js';
import { assertUrlAllowed, DestinationAddressError, type AddressPolicy } from './destination-address.js';
import { secretKey, SECRET_MAX_BYTES, SECRET_MIN_BYTES } from './webhook-signature.js';

// Validation of the destination fields a client sends (POST creates, PUT changes some).

export const MAX_CUSTOM_HEADERS = 20;
// Headers Trove sets itself (or that would break the request) cannot be overridden.
const RESERVED_HEADER = /^(host|content-type|content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|user-agent|webhook-.*|x-gitlab-.*)$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const EVENT_NAME = /^[a-z0-9_]{1,128}$/;
const KNOWN_EVENT_NAMES: ReadonlySet<string> = new Set(AUDIT_EVENT_NAMES);
// RFC 9110 field-value: visible ASCII and obs-text (U+0080-U+00FF), with spaces and tabs only
// between them. Anything else (control characters, U+0100 and above) Node refuses to send.
const HEADER_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

export interface DestinationFields {
  name: string;
  url: string;
  secret: string;
  eventNames: string[];
  headers: Record<string, string>;
  active: boolean;
}

function name(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255) throw errors.badRequest('name is missing or longer than 255 characters');
  return value.trim();
}

async function url(value: unknown, policy: AddressPolicy): Promise<string> {
  if (typeof value !== 'string' || value.length > 2048) throw errors.badRequest('url is missing or longer than 2048 characters');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw errors.badRequest('url is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw errors.badRequest('url must be http or https');
  if (parsed.username || parsed.password) throw errors.badRequest('url must not contain credentials (use a custom header)');
  try {
    await assertUrlAllowed(parsed, policy);
  } catch (error) {
    if (error instanceof DestinationAddressError) throw errors.badRequest(`url is not allowed: ${error.message}`);
    throw error;
  }
  return parsed.toString();
}

function secret(value: unknown): string {
  if (typeof value !== 'string' || !secretKey(value)) {
    throw errors.badRequest(`secret must be "whsec_" followed by the base64 of ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} random bytes (or be left out to have one generated)`);
  }
  return value;
}

function eventNames(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 200 || value.some((v) => typeof v !== 'string' || !EVENT_NAME.test(v))) {
    throw errors.badRequest('event_names must be an array of event names (empty for every event)');
  }
  // A misspelt name would silently stream nothing of that kind: name what Trove does not record.
  const unknown = (value as string[]).filter((name) => !KNOWN_EVENT_NAMES.has(name));
  if (unknown.length > 0) throw errors.badRequest(`event_names: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an event' : 'are not events'} Trove records (docs/audit-events.md lists them)`);
  return [...new Set(value as string[])];
}

/** `{"Authorization": "Splunk abc"}` or GitLab's `[{"key": ..., "value": ...}]`. */
function headers(value: unknown): Record<string, string> {
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? value.map((h) => [(h as { key?: unknown })?.key, (h as { value?: unknown })?.value])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [[null, null]];
  if (entries.length > MAX_CUSTOM_HEADERS) throw errors.badRequest(`headers: at most ${MAX_CUSTOM_HEADERS} custom headers`);
  const out: Record<string, string> = {};
  for (const [key, val] of entries) {
    if (typeof key !== 'string' || !HEADER_NAME.test(key)) throw errors.badRequest('headers: each header needs a valid name');
    if (RESERVED_HEADER.test(key)) throw errors.badRequest(`headers: ${key} is set by Trove and cannot be overridden`);
    if (typeof val !== 'string' || val.length > 2048 || !HEADER_VALUE.test(val)) {
      throw errors.badRequest(`headers: the value of ${key} must be a single-line string of visible characters (RFC 9110 field-value: no control characters, nothing above U+00FF, no leading or trailing space)`);
    }
    out[key.toLowerCase()] = val;
  }
  return out;
}

function active(value: unknown): boolean {
  if (typeof value !== 'boolean') throw errors.badRequest('active must be true or false');
  return value;
}

/**
 * What a client sends for a destination: the route's schema checked the shape of each field (and
 * passed on fields it does not know, which a change refuses); their values are checked here.
 */
export interface DestinationInput {
  name?: string;
  url?: string;
  secret?: string;
  event_names?: string[];
  /** `{"Authorization": "Splunk abc"}` or GitLab's `[{"key": ..., "value": ...}]`. */
  headers?: Record<string, unknown> | unknown[];
  active?: boolean;
}

/** The fields of a new destination; a secret is generated by the caller when none is given. */
export async function parseNewDestination(body: DestinationInput, policy: AddressPolicy, generated: string): Promise<DestinationFields> {
  return {
    name: name(body.name),
    url: await url(body.url, policy),
    secret: body.secret === undefined ? generated : secret(body.secret),
    eventNames: body.event_names === undefined ? [] : eventNames(body.event_names),
    headers: body.headers === undefined ? {} : headers(body.headers),
    active: body.active === undefined ? true : active(body.active),
  };
}

/** Only the fields present in the body. */
export async function parseDestinationChanges(body: DestinationInput, policy: AddressPolicy): Promise<Partial<DestinationFields>> {
  const known = ['name', 'url', 'secret', 'event_names', 'headers', 'active'];
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw errors.badRequest(`unknown fields: ${unknown.join(', ')}`);
  const out: Partial<DestinationFields> = {};
  if (body.name !== undefined) out.name = name(body.name);
  if (body.url !== undefined) out.url = await url(body.url, policy);
  if (body.secret !== undefined) out.secret = secret(body.secret);
  if (body.event_names !== undefined) out.eventNames = eventNames(body.event_names);
  if (body.headers !== undefined) out.headers = headers(body.headers);
  if (body.active !== undefined) out.active = active(body.active);
  return out;
}
