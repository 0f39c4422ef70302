import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import tar from 'tar-stream';
import { gemBytes, specYaml } from '../../../test/support/rubygems.js';
import { readGemSpec, specFromYaml } from './rubygems-gem.js';
import { infoDocument, versionsDocument } from './rubygems-index.js';

function tarOf(entries: Array<{ name: string; data: Buffer; type?: 'file' | 'symlink' }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: '/etc/passwd' });
    else pack.entry({ name: e.name }, e.data);
  }
  pack.finalize();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

// A metadata.gz as gem build 3.3 writes it (tags, symbols, quoted versions, empty values).
const BUILT = `--- !ruby/object:Gem::Specification
name: probe_app
version: !ruby/object:Gem::Version
  version: 0.2.0
platform: ruby
authors:
- Dana
autorequire:
bindir: bin
cert_chain: []
date: 2026-12-07 00:00:00.000000000 Z
dependencies:
- !ruby/object:Gem::Dependency
  name: probe_base
  requirement: !ruby/object:Gem::Requirement
    requirements:
    - - "~>"
      - !ruby/object:Gem::Version
        version: '0.1'
    - - ">="
      - !ruby/object:Gem::Version
        version: 0.1.2
  type: :runtime
  prerelease: false
  version_requirements: !ruby/object:Gem::Requirement
    requirements:
    - - "~>"
      - !ruby/object:Gem::Version
        version: '0.1'
- !ruby/object:Gem::Dependency
  name: minitest
  requirement: !ruby/object:Gem::Requirement
    requirements:
    - - ">="
      - !ruby/object:Gem::Version
        version: '0'
  type: :development
  prerelease: false
description:
email: dana@example.com
executables: []
extensions: []
extra_rdoc_files: []
files:
- lib/probe_app.rb
homepage:
licenses:
- MIT
metadata: {}
post_install_message:
rdoc_options: []
require_paths:
- lib
required_ruby_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: '2.7'
required_rubygems_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: '0'
requirements: []
rubygems_version: 3.3.15
signing_key:
specification_version: 4
summary: Probe app
test_files: []
`;

describe('gem specifications', () => {
  it('reads what gem build writes, Ruby tags and all', () => {
    const spec = specFromYaml(BUILT);
    assert.deepEqual(
      { name: spec.name, version: spec.version, platform: spec.platform, date: spec.date, summary: spec.summary, email: spec.email, homepage: spec.homepage },
      { name: 'probe_app', version: '0.2.0', platform: 'ruby', date: '2026-12-07', summary: 'Probe app', email: 'dana@example.com', homepage: null },
    );
    assert.deepEqual(spec.dependencies, [
      { name: 'probe_base', requirement: [['~>', '0.1'], ['>=', '0.1.2']], type: 'runtime' },
      { name: 'minitest', requirement: [['>=', '0']], type: 'development' },
    ]);
    assert.deepEqual(spec.requiredRubyVersion, [['>=', '2.7']]);
    assert.equal(spec.specificationVersion, 4);
  });

  it('lists runtime dependencies and non-default requirements in /info, and md5s of /info in /versions', () => {
    const info = infoDocument([{ spec: specFromYaml(BUILT), sha256: 'ab'.repeat(32) }]);
    assert.equal(info, `---\n0.2.0 probe_base:~> 0.1&>= 0.1.2|checksum:${'ab'.repeat(32)},ruby:>= 2.7\n`);
    const versions = versionsDocument('2026-12-07T00:00:00Z', [{ name: 'probe_app', versions: ['0.2.0'], info }]);
    assert.match(versions, /^created_at: 2026-12-07T00:00:00Z\n---\nprobe_app 0\.2\.0 [0-9a-f]{32}\n$/);
  });

  it('refuses hostile names and versions inside the specification, saying what it claimed', () => {
    const claimed: Array<[string | null, string | null]> = [];
    assert.throws(() => specFromYaml(specYaml('../evil', '1.0.0'), (n, v) => claimed.push([n, v])), /Invalid gem name/);
    assert.deepEqual(claimed, [['../evil', '1.0.0']]);
    assert.throws(() => specFromYaml(specYaml('ok', '1.0/../x')), /Invalid gem version/);
    assert.throws(() => specFromYaml(specYaml('ok', '1.0', { '../dep': '>= 1' })), /Invalid gem name/);
    assert.throws(() => specFromYaml('- just\n- a list\n'), /not a Gem::Specification/);
    assert.throws(() => specFromYaml('a: [unclosed'), /not YAML/);
  });

  it('reads a .gem, and refuses what is not one', async () => {
    const spec = await readGemSpec(await gemBytes('probe_x', '1.2.3', { probe_y: '~> 1.0' }));
    assert.deepEqual([spec.name, spec.version, spec.dependencies[0].name], ['probe_x', '1.2.3', 'probe_y']);
    await assert.rejects(readGemSpec(Buffer.from('this is not a tar archive at all, just text padding it out'.repeat(20))), /Not a valid gem/);
    await assert.rejects(readGemSpec(Buffer.alloc(0)), /no metadata\.gz/);
    const metadata = gzipSync(specYaml('probe_x', '1.0.0'));
    await assert.rejects(readGemSpec(await tarOf([{ name: 'metadata.gz', data: metadata }])), /no data\.tar\.gz/);
    await assert.rejects(readGemSpec(await tarOf([{ name: '../metadata.gz', data: metadata }])), /escapes|unsafe/);
    await assert.rejects(readGemSpec(await tarOf([{ name: 'data.tar.gz', data: Buffer.alloc(0), type: 'symlink' }])), /not a file/);
    await assert.rejects(readGemSpec(await tarOf([{ name: 'metadata.gz', data: Buffer.from('not gzip') }, { name: 'data.tar.gz', data: Buffer.alloc(1) }])), /does not unpack/);
  });
});
