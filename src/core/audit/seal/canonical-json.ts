// RFC 8785 (JSON Canonicalization Scheme) and the leaf hash of an audit record (docs/architecture.md#tamper-evidence).
//
// canonicalJson(value) is JSON.stringify(value) with what RFC 8785 adds: the properties of every
// object sorted by their UTF-16 code units (§3.2.3), and no lone surrogate (§3.2.2.2), NaN or
// ±Infinity (§3.2.2.3), which JSON.stringify would write as an escape or as null: those throw.
// The rest is JSON.stringify's, which RFC 8785 adopts: no whitespace, numbers as ECMAScript's
// Number::toString writes them, strings with JSON.stringify's escapes. Records are JSON values
// (plain objects and arrays, strings, finite numbers, booleans, null; the verifier's come from
// JSON.parse); for any other value canonicalJson does what JSON.stringify does, so no stored
// record depends on a rule of its own: toJSON(key) is called once, Number, String, Boolean and
// BigInt objects are unboxed, a property whose value is undefined, a function or a symbol is left
// out and such an array element (a hole too) is written as null, a BigInt throws a TypeError, and
// a top-level value without a JSON form throws a TypeError instead of giving undefined. A cycle
// throws 'Circular reference detected', as does an object met again inside what its toJSON gave
// (JSON.stringify would call toJSON again until its stack overflows). The test compares it with
// an independent reference built on JSON.stringify, on RFC 8785's examples, every record shape
// Trove writes and tens of thousands of generated values, edge cases included.
//
// It is on the hot path of every audit event (download events included): ~4.5 µs a record, less
// than half what the JCS reference implementation for JavaScript takes (docs/performance.md#audit-records).
// What makes it fast:
// - a string without quote, backslash or control character is written between quotes as it is
//   (one regular-expression test; JSON.stringify of a short string costs more than the rest);
// - `"name":` of property names is cached (records use a few dozen names);
// - numbers are written by `'' + n` (identical to JSON.stringify(n) for finite n, ten times cheaper);
// - few keys are sorted by insertion sort; containers recurse, without a set of open containers.
// Recursion needs a depth limit, so that fast path gives up on a value nested deeper than
// FAST_DEPTH (any cycle becomes one; no record Trove writes comes close), and serializeDeep writes
// it again from the start with an explicit stack and a set of open containers: as deep as memory
// allows, never a stack overflow. In that rare case getters and toJSON methods of the first levels
// run twice.
import * as crypto from 'node:crypto';
import { types } from 'node:util';

const FAST_DEPTH = 100;
/** Thrown by the fast path when a value nests deeper than FAST_DEPTH. */
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

/** A value that is not an object (or null): its JSON, or undefined for undefined, functions and symbols (left out). */
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
    case 'bigint':
      // Its toJSON, if BigInt.prototype has one, was called by resolve.
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return undefined;
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

/** Whether JSON.stringify looks for no toJSON on `value`: null, or neither an object (functions are objects too) nor a BigInt. */
function isPrimitive(value: unknown): value is string | number | boolean | symbol | null | undefined {
  return value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'bigint');
}

/**
 * What JSON.stringify writes in place of an object (a function too) or a BigInt found under `key` (a property
 * name, an array index, '' at the top): the result of its toJSON(key) if it has that method,
 * then a Number, String, Boolean or BigInt object unboxed as JSON.stringify unboxes it.
 */
function resolve(value: object | bigint, key: string | number): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  const resolved: unknown = typeof toJSON === 'function' ? toJSON.call(value, typeof key === 'number' ? String(key) : key) : value;
  if (resolved === null || typeof resolved !== 'object' || !types.isBoxedPrimitive(resolved)) return resolved;
  if (types.isNumberObject(resolved)) return +(resolved as unknown as number); // ToNumber, as JSON.stringify
  if (types.isStringObject(resolved)) return String(resolved); // ToString
  if (types.isBooleanObject(resolved)) return Boolean.prototype.valueOf.call(resolved);
  if (types.isBigIntObject(resolved)) return BigInt.prototype.valueOf.call(resolved);
  return resolved; // a Symbol object: an object without own properties
}

/** One array or object (its keys from keysOf). */
function serializeContainer(container: object, keys: string[] | null, depth: number): string {
  if (depth === FAST_DEPTH) throw TOO_DEEP;
  if (keys === null) {
    const array = container as unknown[];
    let out = '[';
    for (let i = 0; i < array.length; i++) {
      if (i > 0) out += ',';
      const element = array[i];
      if (isPrimitive(element)) {
        out += serializePrimitive(element) ?? 'null';
        continue;
      }
      const resolved = resolve(element, i);
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
    if (isPrimitive(value)) {
      const text = serializePrimitive(value);
      if (text === undefined) continue;
      out += separator + keyPart(key) + text;
    } else {
      const resolved = resolve(value, key);
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
  if (isPrimitive(value)) return serializePrimitive(value);
  const resolved = resolve(value, '');
  if (resolved === null || typeof resolved !== 'object') return serializePrimitive(resolved);
  return serializeContainer(resolved, keysOf(resolved), 0);
}

/** An array or object being written by serializeDeep. */
interface Frame {
  container: object;
  /** null for an array, else its property names in order. */
  keys: string[] | null;
  /** The next element or key to write. */
  index: number;
  /** Whether a member has been written (a comma goes before the next one). */
  written: boolean;
  /** The object whose toJSON gave this container (not the container itself), running as long as it is open. */
  wrapper: object | null;
}

function circular(): Error {
  return new Error('Circular reference detected');
}

/** The containers being written and the objects whose toJSON gave one of them. */
interface Open {
  containers: Set<object>;
  wrappers: Set<object>;
}

/**
 * The value found under `key`, resolved as in the fast path: its JSON if it is no container
 * (undefined: nothing to write), else a frame for it, entered among the open containers.
 */
function enter(value: unknown, key: string | number, open: Open): string | undefined | Frame {
  if (isPrimitive(value)) return serializePrimitive(value);
  // An object met again inside what its toJSON gave: JSON.stringify would call toJSON again, and
  // again (for a toJSON that gives the same each time) until its stack overflows.
  if (typeof value !== 'bigint' && open.wrappers.has(value)) throw circular();
  const resolved = resolve(value, key);
  if (resolved === null || typeof resolved !== 'object') return serializePrimitive(resolved);
  if (open.containers.has(resolved)) throw circular();
  open.containers.add(resolved);
  // resolve gives another object only through toJSON.
  const wrapper = resolved === value ? null : (value as object);
  if (wrapper !== null) open.wrappers.add(wrapper);
  return { container: resolved, keys: keysOf(resolved), index: 0, written: false, wrapper };
}

/** The same text as the fast path, for values of any depth: an explicit stack instead of recursion. */
function serializeDeep(value: unknown): string | undefined {
  const open: Open = { containers: new Set(), wrappers: new Set() };
  const root = enter(value, '', open);
  if (root === undefined || typeof root === 'string') return root;
  let out = root.keys === null ? '[' : '{';
  const stack: Frame[] = [root];
  next: while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.keys === null) {
      const array = frame.container as unknown[];
      while (frame.index < array.length) {
        const i = frame.index++;
        if (i > 0) out += ',';
        const child = enter(array[i], i, open);
        if (child === undefined || typeof child === 'string') {
          out += child ?? 'null';
          continue;
        }
        out += child.keys === null ? '[' : '{';
        stack.push(child);
        continue next;
      }
      out += ']';
    } else {
      const object = frame.container as Record<string, unknown>;
      while (frame.index < frame.keys.length) {
        const key = frame.keys[frame.index++];
        const child = enter(object[key], key, open);
        if (child === undefined) continue;
        out += (frame.written ? ',' : '') + keyPart(key);
        frame.written = true;
        if (typeof child === 'string') {
          out += child;
          continue;
        }
        out += child.keys === null ? '[' : '{';
        stack.push(child);
        continue next;
      }
      out += '}';
    }
    // Done: a later sibling may hold the same object again (not a cycle).
    open.containers.delete(frame.container);
    if (frame.wrapper !== null) open.wrappers.delete(frame.wrapper);
    stack.pop();
  }
  return out;
}

export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = serializeFast(value);
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    text = serializeDeep(value);
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
