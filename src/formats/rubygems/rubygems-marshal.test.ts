import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { load, RubyObject } from '@hyrious/marshal';
import { specYaml } from '../../../test/support/rubygems.js';
import { specFromYaml } from './rubygems-gem.js';
import { dependencyList, quickSpec } from './rubygems-marshal.js';

// Ruby itself loads these (the e2e test's gem install reads them); here the structure
// Gem::Specification._load expects is checked by reading the bytes back.

const ivar = (object: unknown, name: string) => (object as Record<symbol, unknown>)[Symbol.for(name)];

describe('quick specs (.gemspec.rz)', () => {
  it('is a deflated Marshal 4.8 Gem::Specification whose _dump array has the version, platform and dependencies', () => {
    const spec = specFromYaml(specYaml('probe_app', '0.2.0', { probe_base: '~> 0.1' }));
    const marshalled = inflateSync(quickSpec(spec));
    assert.deepEqual([...marshalled.subarray(0, 2)], [4, 8]);
    const outer = load(marshalled) as RubyObject;
    assert.equal(outer.class, Symbol.for('Gem::Specification'));
    const array = load(outer.userDefined!) as unknown[];
    assert.equal(array.length, 19);
    assert.deepEqual([array[0], array[1], array[2], array[4], array[5], array[8], array[16]], ['3.3.15', 4, 'probe_app', '2026-01-02', 'A gem built by the tests', 'ruby', 'ruby']);
    const version = array[3] as RubyObject;
    assert.deepEqual([version.class, version.userMarshal], [Symbol.for('Gem::Version'), ['0.2.0']]);
    const [dependency] = array[9] as RubyObject[];
    assert.equal(dependency.class, Symbol.for('Gem::Dependency'));
    assert.equal(ivar(dependency, '@name'), 'probe_base');
    assert.equal(ivar(dependency, '@type'), Symbol.for('runtime'));
    const requirement = ivar(dependency, '@requirement') as RubyObject;
    const [[operator, required]] = (requirement.userMarshal as unknown[][])[0] as [string, RubyObject][];
    assert.deepEqual([operator, required.userMarshal], ['~>', ['0.1']]);
    assert.deepEqual(array[17], ['MIT']);
  });

  it('answers the dependency API with symbol-keyed hashes of runtime dependencies', () => {
    const spec = specFromYaml(specYaml('probe_app', '0.2.0', { probe_base: '~> 0.1' }));
    const list = load(dependencyList([{ spec }]), { hashSymbolKeysToString: true }) as unknown[];
    assert.deepEqual(list, [{ name: 'probe_app', number: '0.2.0', platform: 'ruby', dependencies: [['probe_base', '~> 0.1']] }]);
  });
});
