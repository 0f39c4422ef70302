import { Ajv, type Options } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { VALID_ACCESS_LEVELS, VISIBILITIES } from '../core/accounts/access-levels.js';
import { requireApiUser } from '../core/accounts/permissions.js';
import { MAX_ROW_ID } from '../storage/db/schema.js';

// JSON Schema fragments for request bodies, and the validation that runs them before any handler
// (a violation is GitLab's 400 {"error": "<field> is invalid"}, src/http/error-handler.ts).
//
// Query strings and path parameters are text, so their validator coerces ("20" -> 20, as Fastify
// does by default). Bodies are validated as sent: coercing them would accept more than the handlers
// themselves do (123 as a name, "x" as a list of scopes). Form bodies (curl -d) are all strings, so a
// number field takes a number or a string of digits, converted by the handler as before.

// Fastify's own defaults (allErrors stays off: with it a crafted body costs more to validate).
const COMMON: Options = { useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false, allowUnionTypes: true };
const coercing = new Ajv({ ...COMMON, coerceTypes: 'array' });
const exact = new Ajv({ ...COMMON, coerceTypes: false });

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Takes a body from a caller who has not signed in (the sign-in itself). */
    anonymousBody?: boolean;
  }
}

export function registerSchemaValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
  // As in GitLab, a write is authenticated before its parameters are looked at: without a
  // credential it is a 401 (with a read-only one a 403), whatever the body holds.
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.schema?.body !== undefined && request.routeOptions.config.anonymousBody !== true) requireApiUser(request.principal, true);
  });
}

/** The largest row id (a larger one would be a database error, not a 404). */
export const MAX_ID = MAX_ROW_ID;

/** A regular expression for the decimal numbers 1..max without leading zeros (e.g. for form fields). */
export function decimalUpTo(max: number): string {
  const digits = String(max);
  const shorter = digits.length > 1 ? [`[1-9][0-9]{0,${digits.length - 2}}`] : [];
  const same: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    const low = i === 0 ? 1 : 0;
    const rest = digits.length - i - 1;
    if (d > low) same.push(`${digits.slice(0, i)}[${low}-${d - 1}]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  same.push(digits);
  return `^(?:${[...shorter, ...same].join('|')})$`;
}

/** A positive integer up to `max`, as a JSON number or a string of digits (form bodies). */
export const positiveInteger = (max = MAX_ID) => ({ type: ['integer', 'string'], minimum: 1, maximum: max, pattern: decimalUpTo(max) }) as const;

/** A row id, or null where the field is optional. */
export const id = positiveInteger();
export const optionalId = { ...id, type: ['integer', 'string', 'null'] } as const;

/**
 * A group or namespace named by id or by full path (as in a URL): a number in range, or a string
 * that is not a number beyond it.
 */
export const namespaceRef = {
  type: ['integer', 'string', 'null'],
  minimum: 1,
  maximum: MAX_ID,
  minLength: 1,
  maxLength: 1000,
  pattern: `${decimalUpTo(MAX_ID)}|^(?![0-9]+$)`,
} as const;

/** A text field of at most `max` characters. */
export const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
/** The same, or null (clears it / leaves it unset). */
export const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;

/** Names (users, groups, projects, tokens) and paths: at most 255 characters, as GitLab's. */
export const name = text(255);

/** One of fixed values; numbers may also come as their digits (form bodies). */
export function oneOfValues(values: readonly (string | number | boolean)[]) {
  const asText = values.filter((v) => typeof v !== 'string').map(String);
  return { enum: [...values, ...asText] } as const;
}

/** GitLab's boolean: true/false, or "true"/"false" from a form. */
export const boolean = oneOfValues([true, false]);

/** A list of strings from a fixed set (`scopes[]=api` in a form). */
export const listOf = (values: readonly string[], maxItems = 100) => ({ type: 'array', maxItems, items: { type: 'string', enum: values } }) as const;

/** GitLab's `expires_at`: YYYY-MM-DD or an ISO timestamp, or empty/null for none. */
export const expiresAt = { type: ['string', 'null'], maxLength: 64, pattern: '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T.*)?)?$' } as const;

/**
 * A body's schema: an object (or nothing) with these fields. Fields not declared are passed on
 * untouched, as GitLab ignores parameters it does not know; routes that refuse them say so themselves.
 */
export function bodyOf(properties: Record<string, object>, required: string[] = []) {
  return { type: ['object', 'null'], properties, ...(required.length > 0 ? { required } : {}) } as const;
}

/** GitLab's visibility levels. */
export const visibility = oneOfValues(VISIBILITIES);
/** GitLab's access levels (10 guest ... 50 owner). */
export const accessLevel = oneOfValues(VALID_ACCESS_LEVELS);
