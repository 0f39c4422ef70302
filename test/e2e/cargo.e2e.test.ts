// One backend: cargo's own protocol; what Cargo writes do on each database is checked by the conformance suite, which runs on both.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventsOnceWritten } from '../support/audit-e2e.js';
import { latestEvent } from '../support/audit.js';
import { CargoHome, cargoRegistry, cargoVersion, crateBytes, publishBody, publishMetadata, REGISTRY, writeCrate } from '../support/cargo.js';
import { storeSnapshot } from '../support/stored-blobs.js';
import { waitFor } from '../support/webhook-receiver.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// Cargo through the real cargo (rustup's): cargo publish with the token in
// CARGO_REGISTRIES_TROVE_TOKEN (sent bare in Authorization), cargo run of a crate that depends on
// the published one, resolved from the project's sparse index (auth-required: the project is
// private) and downloaded with the token; cargo yank and its undo; cargo search. The audit log
// after each write and download; refusals leave the store as it was.

const PUBLISHED = 'package_registry_package_published';
const DOWNLOADED = 'package_registry_package_downloaded';
const DENIED = 'package_registry_package_publish_denied';
const UPDATED = 'package_registry_package_metadata_updated';

const LIMIT = 64 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('Cargo through cargo', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let developer: TestUser;
  let maintainer: TestUser;
  let reader: { id: number; token: string };
  let version: string;
  const events = () => `/api/v4/groups/${group.id}/audit_events`;
  const home = () => CargoHome.create(trove.baseUrl, project.id);
  const publishUrl = () => `${cargoRegistry(trove.baseUrl, project.id)}/api/v1/crates/new`;
  const indexFile = async (path: string, token = reader.token) => {
    const res = await fetch(`${cargoRegistry(trove.baseUrl, project.id)}/index/${path}`, { headers: { authorization: token } });
    return { status: res.status, lines: res.status === 200 ? (await res.text()).trimEnd().split('\n').map((line) => JSON.parse(line)) : [] };
  };

  before(async () => {
    version = cargoVersion();
    // Small enough for a refused upload to be cheap, large enough for the test crates (a few KB).
    trove = await startTrove({ env: { TROVE_CARGO_MAX_UPLOAD_BYTES: String(LIMIT) } });
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('crates', group.id);
    developer = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, developer, 30);
    maintainer = await world.user('mira', ['api'], 'mira-yank');
    await world.addMember('groups', group.id, maintainer, 40);
    reader = await world.deployToken('projects', project.id, 'reader', ['read_package_registry']);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
  });

  after(async () => {
    await trove?.stop();
  });

  it('cargo publish publishes a crate with who, how and the checksum the index serves', async () => {
    const dir = writeCrate({ name: 'probe_base', version: '0.1.0', code: 'pub fn greeting() -> &\'static str {\n    "hello from probe_base"\n}\n', description: 'the base of the probe' });
    const publisher = home();
    const published = await publisher.cargo(['publish', '--registry', REGISTRY, '--allow-dirty'], dir, developer.token);
    assert.equal(published.code, 0, published.stdout + published.stderr);
    // cargo publish leaves no .crate behind; cargo package makes the same bytes (its archives are reproducible).
    const packaged = await publisher.cargo(['package', '--allow-dirty', '--no-verify'], dir);
    assert.equal(packaged.code, 0, packaged.stderr);
    const crate = readFileSync(join(publisher.home, 'target', 'package', 'probe_base-0.1.0.crate'));
    const event = await latestEvent(world.root, events(), PUBLISHED);
    assert.deepEqual({ format: event.package.format, name: event.package.name, version: event.package.version }, { format: 'cargo', name: 'probe_base', version: '0.1.0' });
    assert.deepEqual(event.package.files, [{ file_name: 'probe_base-0.1.0.crate', size: crate.length, sha256: sha256(crate) }]);
    assert.deepEqual([event.actor.type, event.actor.token_name, event.actor.username], ['personal_access_token', 'dana-laptop', 'dana']);
    assert.equal(event.via, 'package_client');
    assert.deepEqual(event.client, { name: 'cargo', version });

    const { status, lines } = await indexFile('pr/ob/probe_base');
    assert.equal(status, 200);
    assert.deepEqual(lines, [{ name: 'probe_base', vers: '0.1.0', deps: [], cksum: sha256(crate), features: {}, yanked: false, links: null, v: 1 }]);
    const [pkg] = await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=cargo`);
    assert.deepEqual([pkg.name, pkg.version, pkg.package_type], ['probe_base', '0.1.0', 'cargo']);
  });

  it('publishes a crate that depends on it, with the dependency, a rename and features in the index', async () => {
    const dir = writeCrate({ name: 'probe-app', version: '0.2.0', dependencies: { probe_base: '0.1' }, bin: true, code: 'fn main() {\n    println!("probe-app 0.2.0 says {}", probe_base::greeting());\n}\n' });
    writeFileSync(join(dir, 'Cargo.toml'), `${readFileSync(join(dir, 'Cargo.toml'), 'utf8')}base = { package = "probe_base", version = "0.1", registry = "${REGISTRY}", optional = true }\n\n[features]\nextra = ["dep:base"]\n`);
    const published = await home().cargo(['publish', '--registry', REGISTRY, '--allow-dirty'], dir, developer.token);
    assert.equal(published.code, 0, published.stdout + published.stderr);
    const [line] = (await indexFile('pr/ob/probe-app')).lines;
    assert.deepEqual(
      line.deps.map((d: any) => [d.name, d.req, d.optional, d.kind, d.package ?? null]),
      [
        ['base', '^0.1', true, 'normal', 'probe_base'],
        ['probe_base', '^0.1', false, 'normal', null],
      ],
    );
    assert.deepEqual([line.features, line.features2, line.v], [{}, { extra: ['dep:base'] }, 2]);
  });

  it('cargo run resolves the dependency from the private index with a read-only deploy token, downloads both crates (audited) and runs them', async () => {
    const anonymous = await fetch(`${cargoRegistry(trove.baseUrl, project.id)}/index/config.json`);
    assert.equal(anonymous.status, 401);
    const config = await fetch(`${cargoRegistry(trove.baseUrl, project.id)}/index/config.json`, { headers: { authorization: reader.token } });
    assert.deepEqual(await config.json(), { dl: `${cargoRegistry(trove.baseUrl, project.id)}/api/v1/crates`, api: cargoRegistry(trove.baseUrl, project.id), 'auth-required': true });

    const dir = writeCrate({ name: 'consumer', version: '0.0.1', dependencies: { 'probe-app': '0.2' }, bin: true, code: 'fn main() {}\n' });
    writeFileSync(join(dir, 'Cargo.toml'), `${readFileSync(join(dir, 'Cargo.toml'), 'utf8')}probe_base = { version = "0.1", registry = "${REGISTRY}" }\n`);
    writeFileSync(join(dir, 'src', 'main.rs'), 'fn main() {\n    println!("{}", probe_base::greeting());\n}\n');
    const ran = await home().cargo(['run', '--quiet'], dir, reader.token);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.equal(ran.stdout.trim(), 'hello from probe_base');
    assert.match(readFileSync(join(dir, 'Cargo.lock'), 'utf8'), /name = "probe-app"\nversion = "0\.2\.0"\nsource = "sparse\+http/);

    // cargo publish of probe-app built it against probe_base, downloaded with the developer's token: not counted here.
    const downloads = (await eventsOnceWritten(world.root, events(), DOWNLOADED, 3)).filter((e) => e.actor.token_name === 'reader');
    assert.deepEqual(downloads.map((e) => e.package.files[0].file_name).sort(), ['probe-app-0.2.0.crate', 'probe_base-0.1.0.crate']);
    for (const event of downloads) {
      assert.deepEqual([event.actor.type, event.actor.token_name, event.via, event.client.name], ['deploy_token', 'reader', 'package_client', 'cargo']);
    }
  });

  it('refuses a republish, a crate of another name, a name spelled differently, a crate over the limit and a read-only token, with the store unchanged', async () => {
    const before = await storeSnapshot(world.root, project.id);
    const dir = writeCrate({ name: 'probe_base', version: '0.1.0' });
    // cargo reads the index first and refuses by itself; the server refuses what is sent anyway.
    const again = await home().cargo(['publish', '--registry', REGISTRY, '--allow-dirty', '--no-verify'], dir, developer.token);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /crate probe_base@0\.1\.0 already exists on `trove` index/);

    const readOnly = await home().cargo(['publish', '--registry', REGISTRY, '--allow-dirty', '--no-verify'], writeCrate({ name: 'probe_other', version: '1.0.0' }), reader.token);
    assert.notEqual(readOnly.code, 0);
    assert.match(readOnly.stderr, /403/);

    for (const [body, status, message] of [
      [publishBody(publishMetadata('probe_base', '0.1.0'), await crateBytes('probe_base', '0.1.0')), 409, /crate version `0\.1\.0` is already uploaded/],
      [publishBody(publishMetadata('probe_x', '1.0.0'), await crateBytes('probe_y', '1.0.0')), 400, /not under probe_x-1\.0\.0\//],
      [publishBody(publishMetadata('Probe-Base', '0.3.0'), await crateBytes('Probe-Base', '0.3.0')), 409, /already published as probe_base/],
      [publishBody(publishMetadata('probe_base', '0.1.0+build'), await crateBytes('probe_base', '0.1.0+build')), 409, /already uploaded as 0\.1\.0/],
      [publishBody(publishMetadata('../evil', '1.0.0'), await crateBytes('evil', '1.0.0')), 400, /Invalid crate name/],
      // Far past the limit: refused from the crate's length, the rest drained, so the client reads the 413.
      [publishBody(publishMetadata('probe_big', '1.0.0'), Buffer.alloc(64 * LIMIT)), 413, new RegExp(`larger than the limit of ${LIMIT} bytes`)],
      [Buffer.from([1, 2]), 400, /ends inside the metadata length/],
    ] as const) {
      const res = await fetch(publishUrl(), { method: 'PUT', headers: { authorization: developer.token, 'user-agent': `cargo/${version}` }, body: new Uint8Array(body) });
      assert.equal(res.status, status);
      const { errors } = (await res.json()) as { errors: Array<{ detail: string }> };
      assert.match(errors[0].detail, message);
      const denied = await latestEvent(world.root, events(), DENIED);
      assert.deepEqual([denied.reason, denied.actor.token_name, denied.client.name], [errors[0].detail, 'dana-laptop', 'cargo']);
    }
    // A client that goes away inside the metadata: a refusal with the reason, not a server error.
    const socket = connect(trove.port, '127.0.0.1');
    await once(socket, 'connect');
    const path = new URL(publishUrl()).pathname;
    socket.end(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${developer.token}\r\nUser-Agent: cargo/${version}\r\nContent-Length: 4096\r\n\r\n\u0064\u0000\u0000\u0000{"name":`);
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'close');
    await waitFor('the refusal of the broken-off publish', async () => /Upload incomplete/.test((await latestEvent(world.root, events(), DENIED)).reason));
    assert.deepEqual(await storeSnapshot(world.root, project.id), before);
  });

  it('cargo yank withdraws a version from new resolutions (maintainers only, audited), a lockfile still builds, --undo brings it back', async () => {
    const yank = (token: string, undo = false) => home().cargo(['yank', '--registry', REGISTRY, 'probe_base@0.1.0', ...(undo ? ['--undo'] : [])], home().home, token);
    const lockedDir = writeCrate({ name: 'locked', version: '0.0.1', dependencies: { probe_base: '0.1' }, bin: true, code: 'fn main() {\n    println!("{}", probe_base::greeting());\n}\n' });
    assert.equal((await home().cargo(['generate-lockfile'], lockedDir, reader.token)).code, 0);

    const refused = await yank(developer.token);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /403/);
    assert.deepEqual([(await latestEvent(world.root, events(), DENIED)).package.name, (await indexFile('pr/ob/probe_base')).lines[0].yanked], ['probe_base', false]);

    const yanked = await yank(maintainer.token);
    assert.equal(yanked.code, 0, yanked.stdout + yanked.stderr);
    const event = await latestEvent(world.root, events(), UPDATED);
    assert.deepEqual([event.package.name, event.package.version, event.actor.token_name, event.client.name], ['probe_base', '0.1.0', 'mira-yank', 'cargo']);
    assert.deepEqual(event.changes, { yanked: { from: false, to: true } });
    assert.equal((await indexFile('pr/ob/probe_base')).lines[0].yanked, true);

    const fresh = writeCrate({ name: 'fresh', version: '0.0.1', dependencies: { probe_base: '0.1' }, bin: true, code: 'fn main() {}\n' });
    const unresolved = await home().cargo(['generate-lockfile'], fresh, reader.token);
    assert.notEqual(unresolved.code, 0);
    assert.match(unresolved.stderr, /yanked/);
    const locked = await home().cargo(['run', '--quiet', '--locked'], lockedDir, reader.token);
    assert.equal(locked.code, 0, locked.stdout + locked.stderr);
    assert.equal(locked.stdout.trim(), 'hello from probe_base');

    const undone = await yank(maintainer.token, true);
    assert.equal(undone.code, 0, undone.stdout + undone.stderr);
    assert.deepEqual((await latestEvent(world.root, events(), UPDATED)).changes, { yanked: { from: true, to: false } });
    assert.equal((await home().cargo(['generate-lockfile'], fresh, reader.token)).code, 0);
  });

  it('cargo search lists the crates, and cargo owner says how access is granted', async () => {
    const found = await home().cargo(['search', '--registry', REGISTRY, 'probe'], home().home, reader.token);
    assert.equal(found.code, 0, found.stdout + found.stderr);
    assert.match(found.stdout, /probe_base = "0\.1\.0"\s+# the base of the probe/);
    assert.match(found.stdout, /probe-app = "0\.2\.0"/);
    const owners = await home().cargo(['owner', '--registry', REGISTRY, '--list', 'probe_base'], home().home, developer.token);
    assert.notEqual(owners.code, 0);
    assert.match(owners.stderr, /Trove has no crate owners: developers of the project publish, maintainers yank/);
    const added = await home().cargo(['owner', '--registry', REGISTRY, '--add', 'mira', 'probe_base'], home().home, developer.token);
    assert.notEqual(added.code, 0);
    assert.match(added.stderr, /manage them as project members/);
    const denied = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([denied.package.name, denied.actor.token_name, denied.client.name], ['probe_base', 'dana-laptop', 'cargo']);
  });
});
