import { Ajv, type Options, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import Type, { type Static, type TProperties, type TSchema } from 'typebox';
import { VALID_ACCESS_LEVELS, VISIBILITIES } from '../core/accounts/access-levels.js';
import { requireApiUser } from '../core/accounts/permissions.js';
import { MAX_ROW_ID } from '../storage/db/schema.js';

// JSON Schema fragments for request bodies, and the validation that runs them before any handler
// (a violation is GitLab's 400 {"error": "<field> is invalid"}, src/http/error-handler.ts).
// They are TypeBox schemas: the handler's types are derived from them (src/http/api.ts), never cast.
// Where a field takes a number or its digits (form bodies), the schema is written as JSON Schema
// and `Type.Unsafe` names the type it admits, so the validated schema stays exactly as written.
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

/** Validators no request has needed yet (see deferredValidator). */
const uncompiled = new Set<() => ValidateFunction>();

/**
 * The validator of one route's schema, compiled when the route first validates a request or when
 * compileRemainingValidators gets to it, whichever comes first: compiling the schemas of every
 * route is about a second of CPU, which would otherwise come before a (re)started Trove answers.
 */
function deferredValidator(ajv: Ajv, schema: object) {
  let validate: ValidateFunction | undefined;
  const compile = (): ValidateFunction => {
    validate ??= ajv.compile(schema);
    uncompiled.delete(compile);
    return validate;
  };
  uncompiled.add(compile);
  // Fastify reads a failed validation's errors from the function it was given.
  const check = Object.assign(
    (data: unknown) => {
      const compiled = compile();
      const valid = compiled(data);
      check.errors = compiled.errors;
      return valid;
    },
    { errors: undefined as ValidateFunction['errors'] },
  );
  return check;
}

/**
 * Compiles the validators no request has needed yet, a few at a time between requests, once the
 * server answers. A schema that does not compile still stops Trove (the promise rejects), a moment
 * after it started instead of before.
 */
export function compileRemainingValidators(): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = () => {
      try {
        let compiled = 0;
        for (const compile of uncompiled) {
          compile();
          if (++compiled === 8) break;
        }
      } catch (error) {
        reject(error);
        return;
      }
      if (uncompiled.size === 0) resolve();
      else setImmediate(step);
    };
    setImmediate(step);
  });
}

export function registerSchemaValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => deferredValidator(httpPart === 'body' ? exact : coercing, schema));
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
export const positiveInteger = (max = MAX_ID) =>
  Type.Unsafe<number | string>({ type: ['integer', 'string'], minimum: 1, maximum: max, pattern: decimalUpTo(max) });

/** A row id, or null where the field is optional. */
export const id = positiveInteger();
export const optionalId = Type.Unsafe<number | string | null>({ ...id, type: ['integer', 'string', 'null'] });

/**
 * A group or namespace named by id or by full path (as in a URL): a number in range, or a string
 * that is not a number beyond it.
 */
export const namespaceRef = Type.Unsafe<number | string | null>({
  type: ['integer', 'string', 'null'],
  minimum: 1,
  maximum: MAX_ID,
  minLength: 1,
  maxLength: 1000,
  pattern: `${decimalUpTo(MAX_ID)}|^(?![0-9]+$)`,
});

/** A text field of at most `max` characters. */
export const text = (max: number) => Type.String({ maxLength: max });
/** The same, or null (clears it / leaves it unset). */
export const nullableText = (max: number) => Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: max });

/** Names (users, groups, projects, tokens) and paths: at most 255 characters, as GitLab's. */
export const name = text(255);

type Scalar = string | number | boolean;
/** A value as a form body sends it: numbers and booleans also as their text. */
type AsSent<T extends Scalar> = T | `${T}`;

/** One of fixed values; numbers may also come as their digits (form bodies). */
export function oneOfValues<const T extends readonly Scalar[]>(values: T) {
  const asText = values.filter((v) => typeof v !== 'string').map(String);
  return Type.Unsafe<AsSent<T[number]>>({ enum: [...values, ...asText] });
}

/** GitLab's boolean: true/false, or "true"/"false" from a form. */
export const boolean = oneOfValues([true, false]);

/** A list of strings from a fixed set (`scopes[]=api` in a form). */
export const listOf = <const T extends readonly string[]>(values: T, maxItems = 100) =>
  Type.Unsafe<T[number][]>({ type: 'array', maxItems, items: { type: 'string', enum: values } });

/** GitLab's `expires_at`: YYYY-MM-DD or an ISO timestamp, or empty/null for none. */
export const expiresAt = Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 64, pattern: '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T.*)?)?$' });

/** An object type whose `Required` keys must be present and whose other keys may be absent. */
export type FieldsOf<P extends TProperties, Required extends keyof P = never> = { [K in Required]: Static<P[K]> } & {
  [K in Exclude<keyof P, Required>]?: Static<P[K]>;
};

/**
 * A body's schema: an object (or nothing) with these fields. Fields not declared are passed on
 * untouched, as GitLab ignores parameters it does not know; routes that refuse them say so themselves.
 */
export function bodyOf<P extends TProperties, R extends keyof P & string = never>(properties: P, required: R[] = []) {
  return Type.Unsafe<FieldsOf<P, R> | null>({ type: ['object', 'null'], properties, ...(required.length > 0 ? { required } : {}) });
}

/** A path parameter: text the router decoded (at most a full path's length). */
export const pathParam = Type.String({ maxLength: 1000 });
/** The path parameters of a route, all text. */
export const paramsOf = <const K extends string>(...names: K[]) =>
  Type.Object(Object.fromEntries(names.map((n) => [n, pathParam])) as { [N in K]: typeof pathParam });

/** GitLab's visibility levels. */
export const visibility = oneOfValues(VISIBILITIES);
/** GitLab's access levels (10 guest ... 50 owner). */
export const accessLevel = oneOfValues(VALID_ACCESS_LEVELS);

export type { Static, TSchema };
