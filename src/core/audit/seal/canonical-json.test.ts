import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson, leafHashOf } from './canonical-json.js';

/** The IEEE-754 double with the given bit pattern (RFC 8785 lists its samples this way). */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('serializes numbers as RFC 8785 §3.2.2.3 / Appendix B samples', () => {
    // [IEEE-754 bits, expected JSON] from RFC 8785's number serialization samples.
    const samples: [string, string][] = [
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
    for (const [bits, expected] of samples) assert.equal(canonicalJson(double(bits)), expected, bits);
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
