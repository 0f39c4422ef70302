import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexLine, publishedCrate } from './cargo-metadata.js';

// The metadata cargo 1.95 sent for a crate with a renamed optional dependency, a dev-dependency
// from crates.io and a feature in the `dep:` syntax (shortened).
const SENT = {
  name: 'probe-app',
  vers: '0.2.0',
  deps: [
    { optional: true, default_features: true, name: 'probe_base', features: [], version_req: '^0.1', target: null, kind: 'normal', explicit_name_in_toml: 'base' },
    { optional: false, default_features: false, name: 'serde', features: ['derive'], version_req: '^1', target: 'cfg(unix)', kind: 'dev', registry: 'https://github.com/rust-lang/crates.io-index' },
  ],
  features: { default: ['std'], std: [], extra: ['dep:base'] },
  authors: [],
  description: 'an app',
  license: 'MIT',
  links: null,
  rust_version: '1.70',
  readme: '# probe-app',
};

describe('Cargo publish metadata', () => {
  it('makes the index entry crates.io would: renames as package, registries kept, new-syntax features in features2', () => {
    const crate = publishedCrate(SENT);
    assert.deepEqual(crate.index.deps, [
      { name: 'base', req: '^0.1', features: [], optional: true, default_features: true, target: null, kind: 'normal', package: 'probe_base' },
      { name: 'serde', req: '^1', features: ['derive'], optional: false, default_features: false, target: 'cfg(unix)', kind: 'dev', registry: 'https://github.com/rust-lang/crates.io-index' },
    ]);
    assert.deepEqual([crate.index.features, crate.index.features2, crate.index.v, crate.index.rust_version], [{ default: ['std'], std: [] }, { extra: ['dep:base'] }, 2, '1.70']);
    assert.equal(crate.description.description, 'an app');
    const line = JSON.parse(indexLine('probe-app', '0.2.0', 'ab'.repeat(32), false, crate.index));
    assert.deepEqual(Object.keys(line), ['name', 'vers', 'deps', 'cksum', 'features', 'yanked', 'links', 'v', 'features2', 'rust_version']);
  });

  it('tells the name and version before refusing, and refuses what would not make a sound index line', () => {
    let told: unknown[] = [];
    assert.throws(() => publishedCrate({ ...SENT, deps: 'x' }, (...identity) => (told = identity)), /deps is not a list/);
    assert.deepEqual(told, ['probe-app', '0.2.0']);
    for (const [change, message] of [
      [{ name: '../x' }, /Invalid crate name/],
      [{ vers: '1.0' }, /Invalid crate version/],
      [{ deps: [{ ...SENT.deps[0], version_req: '"}' }] }, /not a version requirement/],
      [{ deps: [{ ...SENT.deps[0], kind: 'weird' }] }, /unknown kind/],
      [{ deps: [{ ...SENT.deps[0], registry: 'file:///etc' }] }, /invalid registry/],
      [{ features: { 'bad name': [] } }, /feature name/],
      [{ rust_version: 'latest' }, /rust_version/],
    ] as const) {
      assert.throws(() => publishedCrate({ ...SENT, ...change }), message, JSON.stringify(change));
    }
    assert.throws(() => publishedCrate([]), /not a JSON object/);
  });
});
