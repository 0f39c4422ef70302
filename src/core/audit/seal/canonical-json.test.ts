import canonicalize from 'canonicalize';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
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

/** [IEEE-754 bits, expected JSON]: RFC 8785's number serialization samples. */
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
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

describe('canonicalJson (RFC 8785)', () => {
  it('serializes numbers as RFC 8785 §3.2.2.3 / Appendix B samples', () => {
    for (const [bits, expected] of RFC_NUMBERS) assert.equal(canonicalJson(double(bits)), expected, bits);
  });

  it('spells exponents the ECMAScript way (1e21, 1E-7, -0)', () => {
    assert.equal(canonicalJson(JSON.parse('[1e21, 1E-7, -0, 1E30, 4.50, 2e-3, 1e20]')), '[1e+21,1e-7,0,1e+30,4.5,0.002,100000000000000000000]');
  });

  it('refuses NaN and Infinity, which I-JSON cannot carry', () => {
    assert.throws(() => canonicalJson(Number.NaN));
    assert.throws(() => canonicalJson(Number.POSITIVE_INFINITY));
    assert.throws(() => canonicalJson({ a: Number.NEGATIVE_INFINITY }));
  });

  it('matches RFC 8785 §3.2.4 (cyberphone testdata values.json)', () => {
    const input =
      '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
      '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}';
    const expected = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    assert.equal(canonicalJson(JSON.parse(input)), expected);
    // The RFC gives the UTF-8 bytes of that output too; the Euro sign is e2 82 ac.
    assert.equal(
      Buffer.from(canonicalJson(JSON.parse(input)), 'utf8').toString('hex'),
      '7b226c6974657261' + '6c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d',
    );
  });

  it('sorts properties by UTF-16 code units (RFC 8785 §3.2.3 and cyberphone weird.json)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    const keys = [...canonicalJson(input).matchAll(/"([^"]*)":"[^"]*"/g)].map((match) => match[1]);
    // The emoji (surrogate pair d83d de00) sorts before U+FB33 because code units, not code points, are compared.
    assert.deepEqual(keys, ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);

    const weird = JSON.parse(
      '{"\\u20ac":"Euro Sign","1":"One","\\u0080":"Control\\u007f","\\ud83d\\ude02":"Smiley",' +
        '"\\u00f6":"Latin Small Letter O With Diaeresis","\\ufb33":"Hebrew Letter Dalet With Dagesh","</script>":"Browser Challenge"}',
    );
    assert.equal(
      canonicalJson(weird),
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested structures and drops whitespace (cyberphone structures.json)', () => {
    const input = '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ { } ],\n  "A": { }\n}';
    assert.equal(canonicalJson(JSON.parse(input)), '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}');
  });

  it('refuses values without a JSON form and lone surrogates', () => {
    assert.throws(() => canonicalJson(undefined), TypeError);
    assert.throws(() => canonicalJson(() => 1), TypeError);
    assert.throws(() => canonicalJson({ a: '\ud800' }));
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

// canonicalJson is our own serializer; `canonicalize` (the JCS reference implementation, a dev
// dependency) is the oracle: the same text, or the same error, for every value below.

/** What canonicalJson must answer for `value`: canonicalize's text, or the error it throws. */
function reference(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
  return text;
}

function outcome(serialize: (value: unknown) => string, value: unknown): { text: string } | { error: string } {
  try {
    return { text: serialize(value) };
  } catch (error) {
    return { error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

/** `value` inside 101 alternating arrays and objects: what canonicalJson writes with its explicit stack. */
function nest(value: unknown): unknown {
  for (let i = 0; i <= 100; i++) value = i % 2 === 0 ? [value, i] : { b: value, a: i };
  return value;
}

function assertSameAsReference(value: unknown, label = ''): void {
  const expected = outcome(reference, value);
  const actual = outcome(canonicalJson, value);
  if ('text' in expected && 'text' in actual ? expected.text !== actual.text : JSON.stringify(expected) !== JSON.stringify(actual)) {
    assert.fail(`${label} ${inspect(value, { depth: 4 })}: canonicalize gives ${inspect(expected)}, canonicalJson ${inspect(actual)}`);
  }
}

describe('canonicalJson matches canonicalize on every audit record shape', () => {
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

  it('gives canonicalize’s bytes and leaf hash for the records AuditLog.build writes, also after their JSON round trip', () => {
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
            const expected = canonicalize(record);
            assert.equal(canonicalJson(record), expected);
            // What the verifier hashes: the stored JSON, parsed again.
            assert.equal(canonicalJson(JSON.parse(row.record)), expected);
            const leaf = createHash('sha256').update(Buffer.concat([Buffer.of(0), Buffer.from(expected!, 'utf8')])).digest('hex');
            assert.equal(row.leaf_hash, leaf);
            assert.equal(leafHashOf(JSON.parse(row.record)), leaf);
          }
        }
      }
    }
    assert.equal(seq, actors.length * clients.length * pipelines.length * inputs.length);
  });
});

describe('canonicalJson matches canonicalize on generated JSON values', () => {
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

  it('the leaf hash of generated values is SHA-256(0x00 || canonicalize’s bytes)', () => {
    const value = generator(seededRandom(6962));
    for (let i = 0; i < 2_000; i++) {
      const generated = value(0);
      const bytes = Buffer.from(canonicalize(generated)!, 'utf8');
      assert.equal(leafHashOf(generated), createHash('sha256').update(Buffer.of(0)).update(bytes).digest('hex'));
    }
  });
});

describe('canonicalJson follows canonicalize on values JSON cannot carry as they are', () => {
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
    ['a lone surrogate key whose value is left out', { '\udc00': undefined, a: 1 }],
    ['a lone surrogate after a NaN', { a: Number.NaN, b: '\ud800' }],
    ['a lone surrogate before a NaN', { a: '\ud800', b: Number.NaN }],
    ['a lone surrogate key before a NaN value', { '\ud800': Number.NaN }],
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
    ['toJSON chained three times', { v: chain }],
    ['toJSON at the top giving a primitive', { toJSON: () => 'text' }],
    ['toJSON at the top giving undefined', { toJSON: () => undefined }],
    ['toJSON that is not a function', { toJSON: 5, a: 1 }],
    ['toJSON giving a boxed number', { toJSON: () => Object(5) }],
    ['boxed primitives', [Object(1.5), Object('s\n'), Object(false), Object(-0)]],
    ['a boxed BigInt (an object with no keys)', Object(1n)],
    ['a boxed symbol', Object(Symbol('s'))],
    ['a class instance (prototype getters are not own properties)', new Point(3, 4)],
    ['a typed array (index keys sorted as strings)', Uint8Array.from({ length: 12 }, (_, i) => i)],
    ['a Map and a Set', { m: new Map([[1, 2]]), s: new Set([1]) }],
    ['a null-prototype object', Object.assign(Object.create(null), { b: 1, a: [2] })],
    ['a non-enumerable property', Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false })],
    ['symbol keys', { [Symbol('k')]: 1, a: 2 }],
    ['a getter', { get a() { return [1, 2]; }, b: 0 }],
    ['the same object twice (not a cycle)', { a: shared, b: [shared, shared] }],
    ['the same toJSON object twice (not a cycle)', { a: sharedWrapper, b: [sharedWrapper, sharedWrapper] }],
    ['the same Date twice (not a cycle)', { a: sharedDate, b: [sharedDate, sharedDate] }],
    ['integer-like keys', { '10': 1, '9': 2, '1': 3, '': 4, '-1': 5, '01': 6, '1e3': 7 }],
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

  it('cycles throw as canonicalize throws, also through toJSON', () => {
    const direct: Record<string, unknown> = { a: 1 };
    direct.self = direct;
    const inArray: unknown[] = [1];
    inArray.push({ back: inArray });
    const viaToJSON: Record<string, unknown> = {};
    viaToJSON.v = { toJSON: () => viaToJSON };
    const itself = { toJSON(): unknown { return this; } };
    const fresh: { toJSON(): unknown } = { toJSON: () => ({ again: fresh }) };
    const deepCycle: Record<string, unknown> = {};
    let node = deepCycle;
    for (let i = 0; i < 150; i++) node = (node.next = {}) as Record<string, unknown>;
    node.next = deepCycle;
    const errorBeforeCycle: Record<string, unknown> = { a: Number.NaN };
    errorBeforeCycle.b = errorBeforeCycle;
    for (const value of [direct, inArray, viaToJSON, itself, fresh, deepCycle, errorBeforeCycle]) assertSameAsReference(value);
    assert.throws(() => canonicalJson(direct), { message: 'Circular reference detected' });
  });

  it('nests as deep as canonicalize does (an explicit stack past the fast path’s depth)', () => {
    for (const depth of [99, 100, 101, 150, 20_000]) {
      let array: unknown = [];
      let object: unknown = { z: 1 };
      for (let i = 0; i < depth; i++) {
        array = [i, array, { k: i }];
        object = { b: object, a: [i], c: null };
      }
      assertSameAsReference(array, `arrays ${depth}`);
      assertSameAsReference(object, `objects ${depth}`);
    }
    let chain: unknown = { end: true };
    for (let i = 0; i < 150; i++) {
      const next = chain;
      chain = { toJSON: () => next };
    }
    assertSameAsReference({ chain });
  });

  it('a BigInt.prototype.toJSON is used as JSON.stringify uses it, even where canonicalize then writes "undefined"', () => {
    const prototype = BigInt.prototype as unknown as { toJSON?: () => unknown };
    try {
      prototype.toJSON = () => 'big';
      assertSameAsReference({ a: 1n, b: [2n] });
      prototype.toJSON = () => undefined;
      for (const value of [{ a: 1n }, [1n], { a: { toJSON: () => 1n } }, [{ toJSON: () => 1n }]]) assertSameAsReference(value);
      assert.equal(canonicalJson({ a: 1n }), '{"a":undefined}');
    } finally {
      delete prototype.toJSON;
    }
  });
});
