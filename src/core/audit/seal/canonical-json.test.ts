import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect, types } from 'node:util';
import { seededRandom } from '../../../../test/support/seeded-random.js';
import { AuditLog } from '../audit-log.js';
import { systemAuditContext, type ActorSnapshot, type AuditContext, type AuditEventInput, type AuditRecord, type ClientInfo, type PipelineInfo } from '../audit-types.js';
import { canonicalJson, leafHashOf } from './canonical-json.js';

/** The IEEE-754 double with the given bit pattern (RFC 8785 lists its samples this way). */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** [IEEE-754 bits, expected JSON]: RFC 8785 Appendix B, Table 1 (its NaN and Infinity rows are in NON_FINITE). */
const RFC_NUMBERS: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'], // minus zero
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'], // round to even
];
/** Appendix B's NaN and Infinity rows: not permitted in JSON (§3.2.2.3). */
const NON_FINITE = ['7fffffffffffffff', '7ff0000000000000'];

/** RFC 8785 §3.2.2's sample, as JSON text. */
const RFC_SAMPLE =
  '{\n  "numbers": [333333333.33333329, 1E30, 4.50,\n              2e-3, 0.000000000000000000000000001],\n' +
  '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}';

/** Property names whose order differs by UTF-16 code unit, by code point and by object enumeration order. */
const FRENCH = '{\n  "peach": "This sorting order",\n  "p\u00e9ch\u00e9": "is wrong according to French",\n  "p\u00eache": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n';

describe('canonicalJson: RFC 8785 examples', () => {
  it('numbers: Appendix B, Table 1', () => {
    for (const [bits, expected] of RFC_NUMBERS) assert.equal(canonicalJson(double(bits)), expected, bits);
    for (const bits of NON_FINITE) {
      assert.throws(() => canonicalJson(double(bits)), /is not allowed/, bits);
      assert.throws(() => canonicalJson([double(bits)]), /is not allowed/, bits);
      assert.throws(() => canonicalJson({ a: double(bits) }), /is not allowed/, bits);
    }
    assert.throws(() => canonicalJson(Number.NEGATIVE_INFINITY), { message: 'Infinity is not allowed' });
    assert.throws(() => canonicalJson(Number.NaN), { message: 'NaN is not allowed' });
  });

  it('§3.2.2 and §3.2.3: the sample, canonicalized, and §3.2.4: its UTF-8 bytes', () => {
    const expected = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    assert.equal(canonicalJson(JSON.parse(RFC_SAMPLE)), expected);
    const bytes =
      '7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a ' +
      '5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37 ' +
      '5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d';
    assert.equal(Buffer.from(canonicalJson(JSON.parse(RFC_SAMPLE)), 'utf8').toString('hex'), bytes.replaceAll(' ', ''));
  });

  it('§3.2.3: the sorting test data, in the expected order', () => {
    const input = JSON.parse(
      '{\n  "\\u20ac": "Euro Sign",\n  "\\r": "Carriage Return",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "1": "One",\n' +
        '  "\\ud83d\\ude00": "Emoji: Grinning Face",\n  "\\u0080": "Control",\n  "\\u00f6": "Latin Small Letter O With Diaeresis"\n}',
    );
    const values = [...canonicalJson(input).matchAll(/":"([^"]*)"/g)].map((match) => match[1]);
    // The emoji (surrogate pair d83d de00) sorts before U+FB33 because code units, not code points, are compared.
    assert.deepEqual(values, ['Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh']);
    assert.equal(
      canonicalJson(input),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
        '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // "In plain English": "", "a", "aa", "ab".
    assert.equal(canonicalJson({ ab: 4, aa: 3, a: 2, '': 1 }), '{"":1,"a":2,"aa":3,"ab":4}');
  });

  it('Appendix C: the address record’s properties in canonical order', () => {
    const record = { name: 'John Doe', address: '2000 Sunset Boulevard', city: 'Los Angeles', zip: '90001', state: 'CA' };
    assert.deepEqual(Object.keys(JSON.parse(canonicalJson(record))), ['address', 'city', 'name', 'state', 'zip']);
  });

  it('Appendix E: string subtypes as parsed, and as the reviver and BigInt.prototype.toJSON of its second example give them', () => {
    const text = '{\n  "time": "2019-01-28T07:45:10Z",\n  "big": "055",\n  "val": 3.5\n}';
    assert.equal(canonicalJson(JSON.parse(text)), '{"big":"055","time":"2019-01-28T07:45:10Z","val":3.5}');
    const prototype = BigInt.prototype as unknown as { toJSON?: () => unknown };
    try {
      prototype.toJSON = function (this: bigint) {
        return this.toString();
      };
      const object: unknown = JSON.parse(text, (k, v) => (k === 'time' ? new Date(v as string) : k === 'big' ? BigInt(v as string) : v));
      assert.equal(canonicalJson(object), '{"big":"55","time":"2019-01-28T07:45:10.000Z","val":3.5}');
    } finally {
      delete prototype.toJSON;
    }
  });

  it('the JCS test data of RFC 8785’s development portal (Appendix I): weird, structures, french, unicode', () => {
    const weird = JSON.parse(
      '{\n  "\\u20ac": "Euro Sign",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n' +
        '  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n',
    );
    assert.equal(
      canonicalJson(weird),
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    const structures = '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}';
    assert.equal(canonicalJson(JSON.parse(structures)), '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}');
    assert.equal(
      canonicalJson(JSON.parse(FRENCH)),
      '{"peach":"This sorting order","p\u00e9ch\u00e9":"is wrong according to French","p\u00eache":"but canonicalization MUST","sin":"ingnore locale"}',
    );
    assert.equal(canonicalJson(JSON.parse('{\n  "Unnormalized Unicode":"\\u1e0d\\u0307"\n}\n')), '{"Unnormalized Unicode":"\u1e0d\u0307"}');
  });

  it('spells exponents the ECMAScript way (1e21, 1E-7, -0)', () => {
    assert.equal(canonicalJson(JSON.parse('[1e21, 1E-7, -0, 1E30, 4.50, 2e-3, 1e20]')), '[1e+21,1e-7,0,1e+30,4.5,0.002,100000000000000000000]');
  });

  it('refuses lone surrogates in values and in the names it writes (§3.2.2.2)', () => {
    for (const value of ['\ud800', 'a\udfff', '\ude00\ud83d', ['\udbff'], { a: '\ud800' }, { '\udc00': 1 }]) {
      assert.throws(() => canonicalJson(value), { message: 'Lone surrogate is not allowed' }, inspect(value));
    }
    assert.equal(canonicalJson('\ud83d\ude00'), '"\ud83d\ude00"');
  });
});

describe('leafHashOf', () => {
  it('is SHA-256(0x00 || UTF-8 canonical JSON) in hex', () => {
    const record = { seq: 2, uuid: 'x', details: { b: 1, a: '\u20ac' } };
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), Buffer.from('{"details":{"a":"\u20ac","b":1},"seq":2,"uuid":"x"}', 'utf8')]))
      .digest('hex');
    assert.equal(leafHashOf(record), expected);
  });

  it('does not depend on property order but on every value', () => {
    assert.equal(leafHashOf({ a: 1, b: [1, 2] }), leafHashOf({ b: [1, 2], a: 1 }));
    assert.notEqual(leafHashOf({ a: 1, b: [1, 2] }), leafHashOf({ a: 1, b: [2, 1] }));
    assert.notEqual(leafHashOf({ a: 1 }), leafHashOf({ a: '1' }));
  });

  it('matches the RFC 6962 leaf hash of the empty object bytes', () => {
    // SHA-256(00 7b 7d), computed independently of canonicalJson.
    assert.equal(leafHashOf({}), createHash('sha256').update(Buffer.from('007b7d', 'hex')).digest('hex'));
  });
});

// The reference canonicalJson is held to, built from JSON.stringify (whose numbers and strings are
// RFC 8785's, §3.2.2) without any code of canonical-json.ts.

/** A lone surrogate as JSON.stringify writes it: \udXXX after an even number of backslashes. */
const ESCAPED_LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/** Orders strings by their UTF-16 code units (RFC 8785 §3.2.3), spelled out. */
function byCodeUnits(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.charCodeAt(i) - b.charCodeAt(i);
  }
  return a.length - b.length;
}

/**
 * What canonicalJson must answer for `value`: JSON.stringify's text with every object's properties
 * in UTF-16 code unit order, refusing what RFC 8785 refuses and JSON.stringify writes (a lone
 * surrogate escaped, NaN and ±Infinity as null). Objects are handed to JSON.stringify behind a Proxy
 * that lists their keys in that order: a sorted copy could not do it, since an object lists
 * integer-like keys ("9", "10") first, in numeric order, whatever order they were added in. One
 * Proxy per object, so that JSON.stringify still finds cycles.
 */
function reference(value: unknown): string {
  const proxies = new WeakMap<object, object>();
  const sortedKeys = (target: object): (string | symbol)[] => {
    const keys = Reflect.ownKeys(target);
    return [...keys.filter((key): key is string => typeof key === 'string').sort(byCodeUnits), ...keys.filter((key) => typeof key === 'symbol')];
  };
  const text = JSON.stringify(value, (_key, item: unknown) => {
    // JSON.stringify hands the replacer what toJSON gave, before it unboxes Number objects.
    if ((typeof item === 'number' || types.isNumberObject(item)) && !Number.isFinite(Number(item))) throw new Error(`${Number(item)} is not allowed`);
    if (item === null || typeof item !== 'object' || Array.isArray(item) || types.isBoxedPrimitive(item)) return item;
    let proxy = proxies.get(item);
    if (proxy === undefined) proxies.set(item, (proxy = new Proxy(item, { ownKeys: sortedKeys })));
    return proxy;
  }) as string | undefined;
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
  if (ESCAPED_LONE_SURROGATE.test(text)) throw new Error('Lone surrogate is not allowed');
  return text;
}

function outcome(serialize: (value: unknown) => string, value: unknown): { text: string } | { error: string } {
  try {
    return { text: serialize(value) };
  } catch (error) {
    return { error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

/** The same text from both, or an error from both (which error may differ: each stops at the first it meets). */
function assertSameAsReference(value: unknown, label = ''): void {
  const expected = outcome(reference, value);
  const actual = outcome(canonicalJson, value);
  if ('text' in expected !== 'text' in actual || ('text' in expected && 'text' in actual && expected.text !== actual.text)) {
    assert.fail(`${label} ${inspect(value, { depth: 4 })}: the reference gives ${inspect(expected)}, canonicalJson ${inspect(actual)}`);
  }
}

/** `value` inside 101 alternating arrays and objects: past canonicalJson's recursive fast path, written by its explicit stack. */
function nest(value: unknown): unknown {
  for (let i = 0; i <= 100; i++) value = i % 2 === 0 ? [value, i] : { b: value, a: i };
  return value;
}

describe('the reference', () => {
  it('sorts by code units, integer-like keys included, and refuses what RFC 8785 refuses', () => {
    assert.equal(reference({ '9': 1, '10': 2, b: 3, a: 4, '\ufb33': 5, '\u{1F600}': 6 }), '{"10":2,"9":1,"a":4,"b":3,"\u{1F600}":6,"\ufb33":5}');
    assert.equal(reference(JSON.parse(RFC_SAMPLE)), canonicalJson(JSON.parse(RFC_SAMPLE)));
    assert.equal(reference(JSON.parse(FRENCH)), canonicalJson(JSON.parse(FRENCH)));
    for (const [bits, expected] of RFC_NUMBERS) assert.equal(reference([double(bits)]), `[${expected}]`);
    for (const value of [Number.NaN, [Number.POSITIVE_INFINITY], { a: Object(Number.NaN) }, '\ud800', ['a\\\ud800'], { '\udc00': 1 }, 1n, undefined]) {
      assert.throws(() => reference(value), inspect(value));
    }
    // The text of an escape is no lone surrogate.
    assert.equal(reference(['\\ud800', '\\\\ud800']), '["\\\\ud800","\\\\\\\\ud800"]');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => reference(cyclic), /circular/);
  });
});

describe('canonicalJson matches the reference on every audit record shape', () => {
  const actors: ActorSnapshot[] = [
    { type: 'user', user_id: 7, username: 'alice', token_id: null, token_name: null, token_owner_path: null },
    { type: 'personal_access_token', user_id: 7, username: 'alice', token_id: 12, token_name: 'laptop "work"', token_owner_path: 'alice' },
    { type: 'deploy_token', user_id: null, username: null, token_id: 3, token_name: 'ci-deploy', token_owner_path: 'acme/platform' },
    { type: 'job_token', user_id: 9, username: 'bob', token_id: null, token_name: null, token_owner_path: 'acme/platform/api' },
    { type: 'job_token', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null },
    systemAuditContext('Packages cleanup policy', { policy_id: 4 }).actor,
    systemAuditContext('Trove').actor,
    { type: 'anonymous', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null },
  ];
  const clients: (ClientInfo | null)[] = [null, { name: 'npm', version: '10.8.2' }, { name: 'pip', version: null }, { name: 'twine', version: '5.1.1' }];
  const pipelines: (PipelineInfo | null)[] = [
    null,
    { id: 88, job_id: 1234, project_path: 'acme/platform/api', ref: 'main', sha: 'a'.repeat(40), url: null },
    { id: 89, job_id: 1235, project_path: 'acme/platform/api', ref: 'refs/tags/v1.0.0', sha: 'b'.repeat(40), url: 'https://ci.example.com/acme/platform/api/-/jobs/1235' },
  ];
  const userAgents = [null, 'npm/10.8.2 node/v20.18.0 linux x64 workspaces/false', 'pip/24.0 {"ci":true,"python":"3.12.1"}', 'Mozilla/5.0 (X11) Grüße \u65e5\u672c \u{1F680} back\\slash\ttab'];
  const addresses = [null, '203.0.113.54', '2001:db8::1'];
  const file = (name: string, size: number) => ({ file_name: name, size, sha256: createHash('sha256').update(name).digest('hex') });
  const projectScope = { entityType: 'Project' as const, entityId: 314, entityPath: 'acme/platform/web', settingNamespaceId: 17 };
  const inputs: AuditEventInput[] = [
    {
      eventName: 'package_registry_package_downloaded',
      scope: { entityType: 'Group', entityId: 17, entityPath: 'acme/platform', settingNamespaceId: 17 },
      project: { id: 314, full_path: 'acme/platform/web' },
      package: { id: 123456, format: 'npm', name: '@acme/design-system', version: '1.42.7', files: [file('design-system-1.42.7.tgz', 1843921)] },
      target: { id: 123456, type: 'Packages::Package', details: 'acme/platform/web/@acme/design-system-1.42.7' },
      customMessage: 'npm package file design-system-1.42.7.tgz downloaded',
    },
    {
      eventName: 'package_registry_package_published',
      scope: projectScope,
      project: { id: 314, full_path: 'acme/platform/web' },
      package: { id: 5, format: 'pypi', name: 'trove-client', version: '2.0.0rc1', files: [file('trove_client-2.0.0rc1-py3-none-any.whl', 20480), file('trove_client-2.0.0rc1.tar.gz', 0), file('\u00e9t\u00e9.txt', 9007199254740991)] },
      target: { id: 5, type: 'Packages::Package', details: 'acme/platform/web/trove-client-2.0.0rc1' },
      customMessage: 'pypi package trove-client 2.0.0rc1 published',
      changes: { dist_tag: { from: null, to: 'latest' } },
    },
    {
      eventName: 'package_registry_package_deleted',
      outcome: 'failure',
      reason: 'tag "latest" is protected\n(cleanup policy 4)',
      scope: projectScope,
      project: { id: 314, full_path: 'acme/platform/web' },
      package: { id: null, format: 'npm', name: 'left-pad', version: null, files: [] },
      target: { id: null, type: 'Packages::Package', details: 'acme/platform/web/left-pad' },
      customMessage: 'Deleting package left-pad failed',
    },
    {
      eventName: 'deploy_token_created',
      scope: { entityType: 'Group', entityId: 17, entityPath: 'acme/platform', settingNamespaceId: 17 },
      target: { id: 3, type: 'DeployToken', details: 'ci-deploy' },
      customMessage: 'Created deploy token ci-deploy',
      changes: { scopes: { from: null, to: ['read_package_registry', 'write_package_registry'] }, expires_at: { from: null, to: '2026-01-01T00:00:00.000Z' }, revoked: { from: false, to: true } },
    },
    {
      eventName: 'package_registry_audit_settings_updated',
      scope: { entityType: 'User', entityId: 7, entityPath: 'alice', settingNamespaceId: null },
      project: null,
      package: null,
      target: { id: 7, type: 'Namespace', details: 'alice' },
      customMessage: 'Changed settings',
      changes: {
        enabled: { from: false, to: true },
        limit: { from: 0, to: 1.5 },
        ratio: { from: -1e-7, to: 1e21 },
        minus_zero: { from: -0, to: 333333333.33333329 },
        name: { from: 'a', to: 'b"\\\n\u20ac\u{1F600}\u2028\u007f\u0000' },
        list: { from: [], to: [1, 'two', null, [3, [[]]], { four: 4 }, false] },
        nested: { from: {}, to: { deeper: [true, { x: 2e-3, '': '' }], '\u{1F600}': 1, '\uFFFF': 2, '10': 'ten', '9': 'nine', '\uFB33': 3, '\u20ac': 4 } },
        cleared: { from: 'x', to: null },
        none: { from: null, to: null },
      },
    },
    {
      eventName: 'user_created',
      scope: { entityType: 'Instance', entityId: 1, entityPath: null, settingNamespaceId: null },
      target: { id: 42, type: 'User', details: 'carol' },
      customMessage: '',
      changes: null,
    },
  ];
  type Builder = { build(seq: number, ctx: AuditContext, input: AuditEventInput): { record: AuditRecord; row: { record: string; leaf_hash: string } } };
  const log = new AuditLog({ package_audit_events: 'enabled', package_download_events: 'enabled' }) as unknown as Builder;

  it('gives the reference’s bytes and leaf hash for the records AuditLog.build writes, also after their JSON round trip', () => {
    let seq = 0;
    for (const actor of actors) {
      for (const client of clients) {
        for (const pipeline of pipelines) {
          for (const input of inputs) {
            seq++;
            const ctx: AuditContext = {
              actor,
              via: actor.type === 'system' ? 'system' : pipeline ? 'pipeline' : client ? 'package_client' : 'api',
              client,
              userAgent: userAgents[seq % userAgents.length],
              ipAddress: addresses[seq % addresses.length],
              requestId: seq % 2 === 0 ? `req-${seq}` : null,
              pipeline,
            };
            const { record, row } = log.build(seq, ctx, input);
            const expected = reference(record);
            assert.equal(canonicalJson(record), expected);
            // What the verifier hashes: the stored JSON, parsed again.
            assert.equal(canonicalJson(JSON.parse(row.record)), expected);
            const leaf = createHash('sha256').update(Buffer.concat([Buffer.of(0), Buffer.from(expected, 'utf8')])).digest('hex');
            assert.equal(row.leaf_hash, leaf);
            assert.equal(leafHashOf(JSON.parse(row.record)), leaf);
          }
        }
      }
    }
    assert.equal(seq, actors.length * clients.length * pipelines.length * inputs.length);
  });
});

describe('canonicalJson matches the reference on generated JSON values', () => {
  // Keys that sort differently by code unit than by code point (U+1F600 is d83d de00, below
  // U+FFFF and U+FB33), integer-like keys (an object enumerates them first, in numeric order),
  // keys that name Object.prototype members, and escapes.
  const keyPool = ['', 'a', 'A', 'b', 'aa', 'ab', '1', '10', '2', '9', '01', '-1', '1.5', '4294967295', '\u{1F600}', '\uFFFF', '\uFB33', '\uFFFE', '\u{10FFFF}', '\u20ac', '\r', '\u0080', '\u00f6', '__proto__', 'toString', 'constructor', 'toJSON', 'length', 'key with space', '"quoted"', 'back\\slash', '\u0000', '\u007f'];
  const charPool = ['a', 'Z', '0', ' ', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\u0080', '\u00e9', '\u20ac', '\u2028', '\u2029', '\uFB33', '\uFFFF', '\u65e5', '\u{1F600}', '\u{1F602}', '\u{10FFFF}', '<', '>', '&', "'"];
  const view = new DataView(new ArrayBuffer(8));

  function generator(random: () => number) {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const string = (): string => {
      let text = '';
      for (let n = Math.floor(random() * (random() < 0.1 ? 60 : 10)); n > 0; n--) text += random() < 0.5 ? pick(charPool) : String.fromCharCode(32 + Math.floor(random() * 95));
      return text;
    };
    const number = (): number => {
      const r = random();
      if (r < 0.2) return double(pick(RFC_NUMBERS)[0]);
      if (r < 0.4) return Math.floor(random() * 2000) - 1000;
      if (r < 0.5) return pick([0, -0, 0.1, 1e21, 1e-7, 1e20, 9007199254740993, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_SAFE_INTEGER]);
      if (r < 0.7) return (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      for (;;) {
        // Any finite double: a random bit pattern.
        view.setUint32(0, Math.floor(random() * 2 ** 32));
        view.setUint32(4, Math.floor(random() * 2 ** 32));
        const value = view.getFloat64(0);
        if (Number.isFinite(value)) return value;
      }
    };
    const value = (depth: number): unknown => {
      const r = random();
      const containers = depth < 12 ? 0.45 - depth * 0.035 : 0;
      if (r < containers / 2) return Array.from({ length: Math.floor(random() * 6) }, () => value(depth + 1));
      if (r < containers) {
        const entries: [string, unknown][] = [];
        for (let n = Math.floor(random() * 7); n > 0; n--) entries.push([random() < 0.7 ? pick(keyPool) : string(), value(depth + 1)]);
        return Object.fromEntries(entries); // own properties, "__proto__" included
      }
      const kind = random();
      if (kind < 0.35) return string();
      if (kind < 0.75) return number();
      if (kind < 0.9) return random() < 0.5;
      return null;
    };
    return value;
  }

  it('20,000 seeded values, as they are and in a shuffled property order', () => {
    const random = seededRandom(0x8785);
    const value = generator(random);
    const shuffled = (input: unknown): unknown => {
      if (Array.isArray(input)) return input.map(shuffled);
      if (input === null || typeof input !== 'object') return input;
      const entries = Object.entries(input).map(([key, item]) => [key, shuffled(item)] as [string, unknown]);
      for (let i = entries.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [entries[i], entries[j]] = [entries[j], entries[i]];
      }
      return Object.fromEntries(entries);
    };
    let containers = 0;
    for (let i = 0; i < 20_000; i++) {
      const generated = value(0);
      if (generated !== null && typeof generated === 'object') containers++;
      assertSameAsReference(generated, `value ${i}`);
      const other = shuffled(generated);
      assert.equal(canonicalJson(other), canonicalJson(generated));
      assert.equal(canonicalJson(JSON.parse(JSON.stringify(generated))), canonicalJson(generated));
    }
    assert.ok(containers > 5_000, `${containers} of the values are arrays or objects`);
  });

  it('2,000 seeded values nested past the fast path’s depth', () => {
    const value = generator(seededRandom(1e5));
    for (let i = 0; i < 2_000; i++) assertSameAsReference(nest(value(0)), `value ${i}`);
  });

  it('the leaf hash of generated values is SHA-256(0x00 || the reference’s bytes)', () => {
    const value = generator(seededRandom(6962));
    for (let i = 0; i < 2_000; i++) {
      const generated = value(0);
      const bytes = Buffer.from(reference(generated), 'utf8');
      assert.equal(leafHashOf(generated), createHash('sha256').update(Buffer.of(0)).update(bytes).digest('hex'));
    }
  });
});

describe('canonicalJson does what JSON.stringify does with values JSON cannot carry as they are', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    get norm() {
      return Math.hypot(this.x, this.y);
    }
  }
  const sparse: unknown[] = [1];
  sparse[3] = 2;
  const withExtra = Object.assign([1, 2], { extra: 3 });
  const shared = { s: 1 };
  const sharedWrapper = { toJSON: () => ({ w: [1] }) };
  const sharedDate = new Date(0);
  const chain = { toJSON: () => ({ toJSON: () => ({ toJSON: () => [1, { b: 2, a: 1 }] }) }) };
  const random = seededRandom(33);
  const codePoint = () => 32 + Math.floor(random() * 0x2ffff);
  const scalar = (): number => {
    const point = codePoint();
    return point >= 0xd800 && point <= 0xdfff ? scalar() : point;
  };
  const manyKeys = Object.fromEntries(
    Array.from({ length: 300 }, (_, i) => [i % 3 === 0 ? String(Math.floor(random() * 1000)) : String.fromCodePoint(...Array.from({ length: 1 + (i % 4) }, scalar)), i]),
  );
  const edgeCases: [string, unknown][] = [
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a BigInt', 1n],
    ['a BigInt in an object', { a: 1n }],
    ['NaN in an array', [1, Number.NaN]],
    ['-Infinity in an object', { b: 1, a: Number.NEGATIVE_INFINITY }],
    ['-0', -0],
    ['null', null],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate in a key', { '\udc00': 1 }],
    ['a lone surrogate key whose value is left out (the name is not written)', { '\udc00': undefined, a: 1 }],
    ['a lone surrogate after a NaN', { a: Number.NaN, b: '\ud800' }],
    ['a lone surrogate before a NaN', { a: '\ud800', b: Number.NaN }],
    ['a reversed surrogate pair', '\ude00\ud83d'],
    ['undefined, functions and symbols in an object', { a: undefined, b: () => 1, c: Symbol('c'), d: 1 }],
    ['only left-out properties', { a: undefined }],
    ['undefined, functions and symbols in an array', [undefined, () => 1, Symbol('c'), 1]],
    ['a sparse array', sparse],
    ['an array with an extra property', withExtra],
    ['nested empty arrays', [[[]], [[], [[]]], []]],
    ['a Date (toJSON)', new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5))],
    ['an invalid Date (toJSON gives null)', new Date(Number.NaN)],
    ['toJSON giving undefined in an object and an array', { a: { toJSON: () => undefined }, b: [{ toJSON: () => undefined }], c: 1 }],
    ['toJSON giving a function', [{ toJSON: () => () => 1 }]],
    ['toJSON giving NaN', { a: { toJSON: () => Number.NaN } }],
    ['toJSON giving an object with a toJSON (called once)', { v: chain }],
    ['toJSON given its key', { a: { toJSON: (key: string) => key }, b: [0, { toJSON: (key: string) => key }], c: { toJSON: (key: string) => ({ [key]: key }) } }],
    ['toJSON at the top giving a primitive', { toJSON: () => 'text' }],
    ['toJSON at the top giving undefined', { toJSON: () => undefined }],
    ['toJSON at the top given the empty key', { toJSON: (key: string) => [key] }],
    ['toJSON giving its own object', { a: { toJSON(): unknown { return this; }, b: 1 } }],
    ['toJSON that is not a function', { toJSON: 5, a: 1 }],
    ['functions with a toJSON (functions are objects)', { a: Object.assign(() => 1, { toJSON: () => [5] }), b: [Object.assign(() => 1, { toJSON: (key: string) => key })], c: Object.assign(() => 1, { x: 1 }) }],
    ['toJSON giving a boxed number', { toJSON: () => Object(5) }],
    ['boxed primitives', [Object(1.5), Object('s\n'), Object(false), Object(-0)]],
    ['a boxed NaN', [Object(Number.NaN)]],
    ['a boxed string with a lone surrogate', { a: Object('\ud800') }],
    ['a boxed number whose valueOf is its own', [Object.assign(Object(1), { valueOf: () => 7 })]],
    ['a boxed BigInt', Object(1n)],
    ['a boxed BigInt in an array', [Object(1n)]],
    ['a boxed symbol (an object without properties)', Object(Symbol('s'))],
    ['a class instance (prototype getters are not own properties)', new Point(3, 4)],
    ['a typed array (index keys sorted as strings)', Uint8Array.from({ length: 12 }, (_, i) => i)],
    ['a Map and a Set', { m: new Map([[1, 2]]), s: new Set([1]) }],
    ['a null-prototype object', Object.assign(Object.create(null), { b: 1, a: [2] })],
    ['a non-enumerable property', Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false })],
    ['symbol keys', { [Symbol('k')]: 1, a: 2 }],
    ['a getter', { get a() { return [1, 2]; }, b: 0 }],
    ['a frozen object', Object.freeze({ b: 1, a: Object.freeze([2]) })],
    ['the same object twice (not a cycle)', { a: shared, b: [shared, shared] }],
    ['the same toJSON object twice (not a cycle)', { a: sharedWrapper, b: [sharedWrapper, sharedWrapper] }],
    ['the same Date twice (not a cycle)', { a: sharedDate, b: [sharedDate, sharedDate] }],
    ['hundreds of keys, integer-like ones among them', manyKeys],
    ['integer-like keys', { '10': 1, '9': 2, '1': 3, '': 4, '-1': 5, '01': 6, '1e3': 7, '4294967295': 8, '4294967294': 9 }],
    ['an own __proto__ property', JSON.parse('{"__proto__": {"x": 1}, "a": 2}')],
    ['every escape', { s: Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)).join('') + '\u2028\u2029\ud83d\ude00' }],
  ];

  for (const [label, value] of edgeCases) {
    it(label, () => {
      assertSameAsReference(value);
      // The same inside 101 arrays and objects, past the fast path's depth.
      assertSameAsReference(nest(value), 'nested');
    });
  }

  it('what the header comment says, spelled out', () => {
    assert.equal(canonicalJson({ v: chain }), '{"v":{}}'); // toJSON once: the next one is a property left out
    assert.equal(canonicalJson({ toJSON: (key: string) => ({ b: [{ toJSON: (k: string) => k }], a: key }) }), '{"a":"","b":["0"]}');
    assert.equal(canonicalJson([Object(1.5), Object('s\n'), Object(false)]), '[1.5,"s\\n",false]');
    assert.equal(canonicalJson({ a: undefined, b: () => 1, c: Symbol('c'), d: [undefined, () => 1, Symbol('c'), sparse] }), '{"d":[null,null,null,[1,null,null,2]]}');
    assert.throws(() => canonicalJson(undefined), TypeError);
    assert.throws(() => canonicalJson(() => 1), TypeError);
    assert.throws(() => canonicalJson({ toJSON: () => undefined }), TypeError);
    assert.throws(() => canonicalJson({ a: 1n }), TypeError);
    assert.throws(() => canonicalJson([Object(1n)]), TypeError);
    assert.throws(() => canonicalJson([Object(Number.NaN)]), { message: 'NaN is not allowed' });
  });

  it('a BigInt.prototype.toJSON is used as JSON.stringify uses it', () => {
    const prototype = BigInt.prototype as unknown as { toJSON?: (key: string) => unknown };
    try {
      prototype.toJSON = function (this: bigint, key: string) {
        return `${key}=${this}`;
      };
      assert.equal(canonicalJson({ a: 1n, b: [2n, Object(3n)] }), '{"a":"a=1","b":["0=2","1=3"]}');
      assertSameAsReference({ a: 1n, b: [2n, Object(3n)] });
      prototype.toJSON = () => undefined;
      assert.equal(canonicalJson({ a: 1n, b: [1n] }), '{"b":[null]}');
      for (const value of [{ a: 1n }, [1n], { a: { toJSON: () => 1n } }, [{ toJSON: () => 1n }], nest([1n])]) assertSameAsReference(value);
    } finally {
      delete prototype.toJSON;
    }
  });

  it('cycles throw, also through toJSON and deeper than the fast path', () => {
    const direct: Record<string, unknown> = { a: 1 };
    direct.self = direct;
    const inArray: unknown[] = [1];
    inArray.push({ back: inArray });
    const viaToJSON: Record<string, unknown> = {};
    viaToJSON.v = { toJSON: () => viaToJSON };
    const itself = { toJSON(): unknown { return this; }, a: [] as unknown[] };
    itself.a.push(itself);
    const fresh: { toJSON(): unknown } = { toJSON: () => ({ again: fresh }) };
    const deepCycle: Record<string, unknown> = {};
    let node = deepCycle;
    for (let i = 0; i < 150; i++) node = (node.next = {}) as Record<string, unknown>;
    node.next = deepCycle;
    const veryDeepCycle: unknown[] = [];
    let last = veryDeepCycle;
    for (let i = 0; i < 50_000; i++) last = last[0] = [] as unknown[];
    last.push(veryDeepCycle);
    const errorBeforeCycle: Record<string, unknown> = { a: Number.NaN };
    errorBeforeCycle.b = errorBeforeCycle;
    for (const value of [direct, inArray, viaToJSON, itself, fresh, deepCycle, errorBeforeCycle]) assertSameAsReference(value);
    for (const value of [direct, inArray, viaToJSON, itself, fresh, deepCycle, veryDeepCycle, [veryDeepCycle], { a: [direct] }]) {
      assert.throws(() => canonicalJson(value), { message: 'Circular reference detected' });
    }
  });

  it('nests as deep as memory allows, far past JSON.stringify (an explicit stack past the fast path’s depth)', () => {
    for (const depth of [99, 100, 101, 150, 5_000, 200_000]) {
      let array: unknown = [];
      let object: unknown = { z: 1 };
      let arrayText = '[]';
      let objectText = '{"z":1}';
      for (let i = 0; i < depth; i++) {
        array = [i, array, { k: i }];
        object = { b: object, a: [i], c: null };
        arrayText = `[${i},${arrayText},{"k":${i}}]`;
        objectText = `{"a":[${i}],"b":${objectText},"c":null}`;
      }
      assert.equal(canonicalJson(array), arrayText, `arrays ${depth}`);
      assert.equal(canonicalJson(object), objectText, `objects ${depth}`);
      if (depth <= 150) {
        assertSameAsReference(array, `arrays ${depth}`);
        assertSameAsReference(object, `objects ${depth}`);
      }
    }
    // What JSON.parse reads (it has no depth limit), canonicalJson writes.
    const text = '{"a":'.repeat(300_000) + '[' + '[{"b":1,"a":2}],'.repeat(3) + '"\ud83d\ude00"]' + '}'.repeat(300_000);
    assert.equal(canonicalJson(JSON.parse(text)), text.replaceAll('{"b":1,"a":2}', '{"a":2,"b":1}'));
  });
});
