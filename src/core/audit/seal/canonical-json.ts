// RFC 8785 (JSON Canonicalization Scheme) and the leaf hash of an audit record (docs/architecture.md#tamper-evidence).
//
// canonicalJson writes exactly what the JCS reference implementation for JavaScript, the npm
// package `canonicalize` (5.1.0), writes; the test compares the two byte for byte on every record
// shape Trove writes and on tens of thousands of generated values, edge cases included. What
// RFC 8785 prescribes: properties sorted by UTF-16 code units (§3.2.3), no whitespace, numbers
// as ECMAScript's Number::toString writes them (JSON.stringify's form), strings as JSON.stringify
// writes them, and no lone surrogates (I-JSON). Like `canonicalize` it follows JSON.stringify for
// everything else: toJSON() is called (again while its result has one, which JSON.stringify does
// not do), boxed primitives are unboxed, properties whose value is undefined, a function or a
// symbol are left out and such array elements are written as null; NaN, ±Infinity, BigInt and
// cycles throw, with `canonicalize`'s messages.
//
// It is on the hot path of every audit event (download events included), where `canonicalize`
// cost ~10.5 µs a record, three times JSON.stringify. What this one does differently:
// - a string without quote, backslash or control character is written between quotes as it is
//   (one regular-expression test; JSON.stringify of a short string costs more than the rest);
// - `"name":` of property names is cached (records use a few dozen names);
// - numbers are written by `'' + n` (identical to JSON.stringify(n) for finite n, ten times cheaper);
// - few keys are sorted by insertion sort; containers recurse instead of keeping an explicit stack.
// Recursion needs a depth limit, and it tracks no set of open containers to find cycles: a value
// nested deeper than FAST_DEPTH (any cycle becomes one; no record Trove writes comes close) is
// serialized again from the start by `canonicalize` itself (an explicit stack, a set of open
// containers). In that rare case getters and toJSON methods of the first levels run twice.
import canonicalize from 'canonicalize';
import * as crypto from 'node:crypto';

const FAST_DEPTH = 100;
/** Thrown by the fast path when a value nests deeper than FAST_DEPTH (or chains as many toJSON calls). */
const TOO_DEEP = Symbol('nested deeper than FAST_DEPTH');

// ES2024's String.prototype.isWellFormed (Node 20 has it; TypeScript's ES2022 lib does not declare
// it). The evidence pack's verify.mjs bundles this module for Node 18, which lacks it: there a
// lone surrogate is found by a Unicode regular expression (paired ones form one code point).
const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as unknown as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !/\p{Surrogate}/u.test(text);

/** Characters JSON.stringify escapes in a well-formed string. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

function serializeString(text: string): string {
  if (!isWellFormed(text)) throw new Error('Lone surrogate is not allowed');
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** null, boolean, number, string; undefined for undefined, functions and symbols (JSON.stringify's answer). */
function serializePrimitive(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return serializeString(value);
    case 'number':
      if (value - value === 0) return '' + value; // finite: Number::toString, as JSON.stringify
      throw new Error(Number.isNaN(value) ? 'NaN is not allowed' : 'Infinity is not allowed');
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'null';
    default:
      // undefined, functions and symbols give undefined; a BigInt throws (or uses BigInt.prototype.toJSON).
      return JSON.stringify(value);
  }
}

/** `"name":` of the property names seen lately; short names only, emptied when it holds 4096. */
const keyParts = new Map<string, string>();

function keyPart(key: string): string {
  let part = keyParts.get(key);
  if (part === undefined) {
    part = serializeString(key) + ':';
    if (key.length <= 64) {
      if (keyParts.size >= 4096) keyParts.clear();
      keyParts.set(key, part);
    }
  }
  return part;
}

/** null for an array; else the own enumerable property names in UTF-16 code unit order. */
function keysOf(container: object): string[] | null {
  if (Array.isArray(container)) return null;
  const keys = Object.keys(container);
  // sort()'s default comparison and `<` on strings both compare UTF-16 code units.
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

/** What an object stands for in JSON: its toJSON() result (again while that has one), boxed primitives unboxed. */
function resolve(object: object): unknown {
  let value: unknown = object;
  for (let calls = 0; value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'; calls++) {
    if (calls === FAST_DEPTH) throw TOO_DEEP;
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  return value;
}

/** One array or object (keys from keysOf, read before the property that holds it is written, as canonicalize does). */
function serializeContainer(container: object, keys: string[] | null, depth: number): string {
  if (depth === FAST_DEPTH) throw TOO_DEEP;
  if (keys === null) {
    const array = container as unknown[];
    let out = '[';
    for (let i = 0; i < array.length; i++) {
      if (i > 0) out += ',';
      const element = array[i];
      if (element === null || typeof element !== 'object') {
        out += element === undefined || typeof element === 'function' || typeof element === 'symbol' ? 'null' : serializePrimitive(element);
        continue;
      }
      const resolved = resolve(element);
      if (resolved === null || typeof resolved !== 'object') out += serializePrimitive(resolved) ?? 'null';
      else out += serializeContainer(resolved, keysOf(resolved), depth + 1);
    }
    return out + ']';
  }
  const object = container as Record<string, unknown>;
  let out = '{';
  let separator = '';
  for (const key of keys) {
    const value = object[key];
    if (value === null || typeof value !== 'object') {
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
      out += separator + keyPart(key) + serializePrimitive(value);
    } else {
      const resolved = resolve(value);
      if (resolved === null || typeof resolved !== 'object') {
        const text = serializePrimitive(resolved);
        if (text === undefined) continue;
        out += separator + keyPart(key) + text;
      } else {
        const childKeys = keysOf(resolved);
        out += separator + keyPart(key);
        out += serializeContainer(resolved, childKeys, depth + 1);
      }
    }
    separator = ',';
  }
  return out + '}';
}

function serializeFast(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return serializePrimitive(value);
  const resolved = resolve(value);
  if (resolved === null || typeof resolved !== 'object') return serializePrimitive(resolved);
  return serializeContainer(resolved, keysOf(resolved), 0);
}

export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = serializeFast(value);
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    text = canonicalize(value);
  }
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
  return text;
}

// leaf_hash = SHA-256(0x00 || UTF-8(canonical JSON)) as lowercase hex: the RFC 6962 leaf hash of
// the record's canonical bytes, so the same value is both the stored column and the Merkle leaf.
// U+0000 is the byte 0x00 in UTF-8, so one string and one one-shot hash call do.
export function leafHashOf(record: unknown): string {
  return leafHashOfText(canonicalJson(record));
}

/** The leaf hash of a record already written as canonical JSON (what audit-log.ts stores). */
export function leafHashOfText(canonicalText: string): string {
  return sha256Hex('\u0000' + canonicalText);
}

// crypto.hash, a one-shot digest cheaper than createHash for short inputs, came in Node 20.12
// (and is not there in the Node 18 that verify.mjs supports).
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');
