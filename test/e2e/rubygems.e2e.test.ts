// One backend: gem's and bundler's own protocol; what RubyGems writes do on each database is checked by the conformance suite, which runs on both.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventsOnceWritten } from '../support/audit-e2e.js';
import { latestEvent } from '../support/audit.js';
import { buildGem, gemBytes, gemHost, GemHome, gemSource } from '../support/rubygems.js';
import { storeSnapshot } from '../support/stored-blobs.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// RubyGems through Debian's real gem (3.3) and bundler (2.3): gem build, gem push with the token
// in GEM_HOST_API_KEY (sent bare in Authorization), gem install and bundle install from the
// project's compact index into a fresh GEM_HOME, then Ruby runs the installed code. The audit log
// after each write and download; refusals leave the store as it was.

const PUBLISHED = 'package_registry_package_published';
const DOWNLOADED = 'package_registry_package_downloaded';
const DENIED = 'package_registry_package_publish_denied';
const DELETED = 'package_registry_package_deleted';

const LIMIT = 64 * 1024;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('RubyGems through gem and bundler', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let developer: TestUser;
  let maintainer: TestUser;
  let reader: { id: number; token: string };
  let base: string;
  let app: string;
  let gemVersion: string;
  const events = () => `/api/v4/groups/${group.id}/audit_events`;
  const pushUrl = () => `${gemHost(trove.baseUrl, project.id)}/api/v1/gems`;

  before(async () => {
    // Small enough for a refused upload to be cheap, large enough for the test gems (a few KB).
    trove = await startTrove({ env: { TROVE_RUBYGEMS_MAX_UPLOAD_BYTES: String(LIMIT) } });
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('gems', group.id);
    developer = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, developer, 30);
    maintainer = await world.user('mira', ['api'], 'mira-yank');
    await world.addMember('groups', group.id, maintainer, 40);
    reader = await world.deployToken('projects', project.id, 'reader', ['read_package_registry']);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
    const home = GemHome.create();
    base = await buildGem({ name: 'probe_base', version: '0.1.0', code: 'module ProbeBase\n  def self.greeting = "hello from probe_base"\nend\n' }, home);
    app = await buildGem(
      { name: 'probe-app', version: '0.2.0', dependencies: { probe_base: '~> 0.1' }, code: 'require "probe_base"\nmodule ProbeApp\n  def self.run = "probe-app 0.2.0 says #{ProbeBase.greeting}"\nend\n' },
      home,
    );
    gemVersion = (await home.gem(['--version'])).stdout.trim();
    assert.match(gemVersion, /^\d+\.\d+/);
  });

  after(async () => {
    await trove?.stop();
  });

  it('gem push publishes each gem with who, how and the sha256', async () => {
    for (const gem of [base, app]) {
      const pushed = await GemHome.create().gem(['push', gem, '--host', gemHost(trove.baseUrl, project.id)], undefined, { GEM_HOST_API_KEY: developer.token });
      assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
      assert.match(pushed.stdout, /Successfully registered gem/);
      const event = await latestEvent(world.root, events(), PUBLISHED);
      const [name, version] = basename(gem, '.gem') === 'probe_base-0.1.0' ? ['probe_base', '0.1.0'] : ['probe-app', '0.2.0'];
      assert.deepEqual({ format: event.package.format, name: event.package.name, version: event.package.version }, { format: 'rubygems', name, version });
      assert.deepEqual(event.package.files, [{ file_name: basename(gem), size: statSync(gem).size, sha256: sha256(readFileSync(gem)) }]);
      assert.deepEqual([event.actor.type, event.actor.token_name, event.actor.username], ['personal_access_token', 'dana-laptop', 'dana']);
      assert.equal(event.via, 'package_client');
      assert.deepEqual(event.client, { name: 'RubyGems', version: gemVersion });
      assert.deepEqual(event.project, { id: project.id, full_path: 'acme/gems' });
    }
  });

  it('gem install resolves the dependency from the compact index, downloads both gems (audited) and Ruby runs them', async () => {
    const home = GemHome.create();
    const source = gemSource(trove.baseUrl, project.id, reader.token);
    const install = await home.gem(['install', 'probe-app', '--clear-sources', '--source', source, '--no-document']);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    assert.match(install.stdout, /Successfully installed probe_base-0\.1\.0/);
    assert.match(install.stdout, /Successfully installed probe-app-0\.2\.0/);
    const ran = await home.ruby(['-e', 'require "probe-app"; puts ProbeApp.run']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout.trim(), 'probe-app 0.2.0 says hello from probe_base');
    // The installed .gem files are the pushed bytes.
    for (const gem of [base, app]) assert.ok(readFileSync(join(home.gemHome, 'cache', basename(gem))).equals(readFileSync(gem)), basename(gem));

    const downloads = await eventsOnceWritten(world.root, events(), DOWNLOADED, 2);
    assert.deepEqual(downloads.map((e) => e.package.files[0].file_name).sort(), ['probe-app-0.2.0.gem', 'probe_base-0.1.0.gem']);
    for (const event of downloads) {
      assert.deepEqual([event.actor.type, event.actor.token_name], ['deploy_token', 'reader']);
      assert.equal(event.client.name, 'RubyGems');
      assert.equal(event.via, 'package_client');
    }
  });

  it('answers GitLab’s dependency API with a list Ruby’s Marshal loads', async () => {
    const url = `${gemHost(trove.baseUrl, project.id)}/api/v1/dependencies?gems=probe-app,probe_base`;
    const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`token:${reader.token}`).toString('base64')}` } });
    assert.equal(res.status, 200);
    const dump = join(tempDir('trove-gem-deps-'), 'dependencies.bin');
    writeFileSync(dump, new Uint8Array(await res.arrayBuffer()));
    const loaded = await GemHome.create().ruby(['-e', 'puts Marshal.load(File.binread(ARGV[0])).map { |g| [g[:name], g[:number], g[:platform], g[:dependencies]].inspect }', dump]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.deepEqual(loaded.stdout.trim().split('\n'), ['["probe-app", "0.2.0", "ruby", [["probe_base", "~> 0.1"]]]', '["probe_base", "0.1.0", "ruby", []]']);
  });

  it('bundle install takes the gems from a Gemfile source block and bundle exec runs them', async () => {
    const home = GemHome.create();
    const dir = tempDir('trove-bundle-');
    writeFileSync(join(dir, 'Gemfile'), `source "${gemSource(trove.baseUrl, project.id, reader.token)}" do\n  gem "probe-app", "0.2.0"\nend\n`);
    const install = await home.bundle(['install'], dir);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    assert.match(install.stdout, /Installing probe_base 0\.1\.0/);
    const ran = await home.bundle(['exec', 'ruby', '-e', 'require "probe-app"; puts ProbeApp.run'], dir);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.equal(ran.stdout.trim(), 'probe-app 0.2.0 says hello from probe_base');
    assert.match(readFileSync(join(dir, 'Gemfile.lock'), 'utf8'), /probe_base \(0\.1\.0\)/);
  });

  it('refuses a repush, a traversal name, a broken archive, a gem over the size limit and a wrong token, with the store unchanged', async () => {
    const before = await storeSnapshot(world.root, project.id);
    const pusher = GemHome.create();
    const repush = await pusher.gem(['push', base, '--host', gemHost(trove.baseUrl, project.id)], undefined, { GEM_HOST_API_KEY: developer.token });
    assert.notEqual(repush.code, 0);
    assert.match(repush.stdout + repush.stderr, /Repushing of gem versions is not allowed/);
    const repushed = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([repushed.package.name, repushed.package.version, repushed.actor.token_name], ['probe_base', '0.1.0', 'dana-laptop']);

    for (const [body, name, message] of [
      [await gemBytes('../evil', '1.0.0'), '../evil', /Invalid gem name/],
      [Buffer.from('not a tar archive, only some text pretending to be a gem'.repeat(20)), null, /Not a valid gem/],
    ] as const) {
      const res = await fetch(pushUrl(), { method: 'POST', headers: { authorization: developer.token, 'content-type': 'application/octet-stream', 'user-agent': `RubyGems/${gemVersion}` }, body: new Uint8Array(body) });
      assert.equal(res.status, 400);
      assert.match(await res.text(), message);
      const denied = await latestEvent(world.root, events(), DENIED);
      assert.deepEqual([denied.actor.token_name, denied.package?.name ?? null, denied.outcome], ['dana-laptop', name, 'failure']);
    }

    const large = await fetch(pushUrl(), { method: 'POST', headers: { authorization: developer.token, 'content-type': 'application/octet-stream' }, body: new Uint8Array(LIMIT + 1) });
    assert.equal(large.status, 413);
    assert.match(await large.text(), new RegExp(`larger than the limit of ${LIMIT} bytes`));
    assert.equal((await latestEvent(world.root, events(), DENIED)).reason, `File is larger than the limit of ${LIMIT} bytes`);

    const wrong = await pusher.gem(['push', base, '--host', gemHost(trove.baseUrl, project.id)], undefined, { GEM_HOST_API_KEY: 'glpat-RUBYnot-a-real-token-0123' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout + wrong.stderr, /401 Unauthorized/);
    const failed = await latestEvent(world.root, '/api/v4/audit_events', 'authentication_failed');
    assert.equal(failed.client.name, 'RubyGems');
    assert.deepEqual(await storeSnapshot(world.root, project.id), before);
  });

  it('gem yank soft-deletes a version (maintainer only, audited), gem install no longer finds it, a restore brings it back', async () => {
    const host = gemHost(trove.baseUrl, project.id);
    const gem = await buildGem({ name: 'probe_yank', version: '1.0.0' });
    const pushed = await GemHome.create().gem(['push', gem, '--host', host], undefined, { GEM_HOST_API_KEY: developer.token });
    assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
    const [pkg] = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_name=probe_yank`);
    const install = () => GemHome.create().gem(['install', 'probe_yank', '--clear-sources', '--source', gemSource(trove.baseUrl, project.id, reader.token), '--no-document']);
    const yank = (token: string) => GemHome.create().gem(['yank', 'probe_yank', '-v', '1.0.0', '--host', host], undefined, { GEM_HOST_API_KEY: token });

    // gem prints the answer and exits 0 whatever the status: the text says what happened.
    const refused = await yank(developer.token);
    assert.match(refused.stdout, /403 Forbidden/);
    const denied = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([denied.package.name, denied.package.version, denied.actor.token_name, denied.client.name], ['probe_yank', '1.0.0', 'dana-laptop', 'RubyGems']);
    assert.equal((await install()).code, 0, 'the refused yank left the gem installable');

    const yanked = await yank(maintainer.token);
    assert.equal(yanked.code, 0, yanked.stdout + yanked.stderr);
    assert.match(yanked.stdout, /Successfully deleted gem: probe_yank \(1\.0\.0\)/);
    const deleted = await latestEvent(world.root, events(), DELETED);
    assert.deepEqual([deleted.package.name, deleted.package.version, deleted.package.files[0].file_name], ['probe_yank', '1.0.0', 'probe_yank-1.0.0.gem']);
    assert.deepEqual([deleted.actor.username, deleted.actor.token_name, deleted.via], ['mira', 'mira-yank', 'package_client']);
    assert.deepEqual(deleted.client, { name: 'RubyGems', version: gemVersion });
    const gone = await install();
    assert.notEqual(gone.code, 0);
    assert.match(gone.stdout + gone.stderr, /Could not find a valid gem 'probe_yank'/);
    assert.match((await yank(maintainer.token)).stdout, /does not exist/);

    await world.root.expect(201, 'POST', `/api/v4/projects/${project.id}/packages/${pkg.id}/restore`);
    const back = await install();
    assert.equal(back.code, 0, back.stdout + back.stderr);
    assert.match(back.stdout, /Successfully installed probe_yank-1\.0\.0/);
  });
});
