// One backend: apt's and dpkg's own protocol; what Debian uploads do on each database is checked by the conformance suite, which runs on both.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { rawRequest } from '../conformance/format-driver.js';
import { eventCount, latestEvent } from '../support/audit.js';
import { AptSandbox, aptAuthConf, buildDeb, buildSourcePackage, changesFor, clearSignInPlace, dput, run } from '../support/debian-apt.js';
import { curl, sha256 } from '../support/generic-curl.js';
import { fileBlobs } from '../support/stored-blobs.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { waitFor } from '../support/webhook-receiver.js';
import { World, type TestUser } from '../support/world.js';

// Debian packages with the real tools: dpkg-deb builds a .deb, curl uploads it to a distribution
// created through the API, apt-get (isolated from the machine's configuration) verifies the
// distribution's signed InRelease with the key Trove serves, resolves and downloads the package, and
// dpkg installs it into a private root. Who did what is in the audit trail; refusals store nothing.

const DENIED = 'package_registry_package_publish_denied';
const MAX_UPLOAD = 256 * 1024;

describe('Debian packages with apt and dpkg', () => {
  let trove: RunningTrove;
  let world: World;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  let maya: TestUser;
  let dev: TestUser;
  let reader: { token: string; username: string };
  const work = tempDir('trove-debian-e2e-');
  const events = () => `/api/v4/projects/${project.id}/audit_events`;
  const distributions = () => `/api/v4/projects/${project.id}/debian_distributions`;
  const debianRoot = () => `/api/v4/projects/${project.id}/packages/debian`;
  const uploadUrl = (fileName: string, query = '?distribution=tools&component=main') => `${trove.baseUrl}${debianRoot()}/${fileName}${query}`;
  const packagesText = async () => (await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?per_page=100`)).map((p: any) => `${p.name}@${p.version}`).sort();

  /** An apt sandbox trusting `keyFile` for the project's Debian source, reading with the deploy token. */
  const sandbox = (keyFile: string, distribution = 'tools') =>
    new AptSandbox(`deb [signed-by=${keyFile}] ${trove.baseUrl}${debianRoot()} ${distribution} main`, aptAuthConf(trove.baseUrl, debianRoot(), reader.token));

  async function keyFileOf(codename: string): Promise<string> {
    const path = join(work, `${codename}.asc`);
    const res = await curl(['--fail', '-H', `Deploy-Token: ${reader.token}`, '-o', path, `${trove.baseUrl}${distributions()}/${codename}/key.asc`]);
    assert.equal(res.code, 0, res.stderr);
    return path;
  }

  before(async () => {
    // A small upload limit, so that the size refusal needs no large file.
    trove = await startTrove({ env: { TROVE_DEBIAN_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) } });
    world = new World(trove);
    group = await world.group('deb-team');
    project = await world.project('tools', group.id);
    maya = await world.user('maya', ['api'], 'maya-laptop');
    dev = await world.user('devon', ['api'], 'devon-laptop');
    await world.addMember('groups', group.id, maya, 40);
    await world.addMember('groups', group.id, dev, 30);
    reader = await world.deployToken('projects', project.id, 'apt-reader', ['read_package_registry']);
    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { package_download_events: 'enabled' });
  });

  after(async () => {
    await trove?.stop();
  });

  it('creates, changes and lists distributions (maintainers only), each change audited, with a signing key per distribution', async () => {
    const body = { codename: 'tools', suite: 'stable', origin: 'Deb Team', description: 'Team tools', valid_time_duration_seconds: 86_400, architectures: ['amd64'] };
    const refused = await dev.api.post(distributions(), body);
    assert.equal(refused.status, 403, refused.text);

    const created = await maya.api.expect(201, 'POST', distributions(), body);
    assert.deepEqual([created.codename, created.suite, created.components, created.architectures], ['tools', 'stable', ['main'], ['all', 'amd64']]);
    assert.match(created.key_fingerprint, /^[0-9A-F]{40}$/);
    const event = await latestEvent(world.root, events(), 'package_registry_debian_distribution_created');
    assert.deepEqual([event.actor.username, event.actor.token_name], ['maya', 'maya-laptop']);
    assert.deepEqual(event.changes.architectures, { from: null, to: ['all', 'amd64'] });
    assert.deepEqual(event.changes.key_fingerprint, { from: null, to: created.key_fingerprint });

    const changed = await maya.api.expect(200, 'PUT', `${distributions()}/tools`, { description: 'Tools of the team' });
    assert.equal(changed.description, 'Tools of the team');
    const update = await latestEvent(world.root, events(), 'package_registry_debian_distribution_updated');
    assert.deepEqual(update.changes, { description: { from: 'Team tools', to: 'Tools of the team' } });

    await maya.api.expect(201, 'POST', distributions(), { codename: 'other' });
    const listed = await dev.api.expect(200, 'GET', distributions());
    assert.deepEqual(listed.map((d: any) => d.codename), ['tools', 'other']);
    const key = readFileSync(await keyFileOf('tools'), 'utf8');
    assert.match(key, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    // The private key is in the database only encrypted: its armor never appears there.
    // (the database file and its write-ahead log, where recent rows are; the public key shows where to look)
    const db = readdirSync(trove.dataDir).filter((f) => f.startsWith('trove.db')).map((f) => readFileSync(join(trove.dataDir, f)).toString('latin1')).join('');
    assert.ok(db.includes('BEGIN PGP PUBLIC KEY BLOCK'), 'the rows are in these files');
    assert.ok(!db.includes('BEGIN PGP PRIVATE KEY BLOCK'), 'no clear private key in the database');
  });

  it('publishes a .deb with curl, audited with actor, token and client', async () => {
    const deb = await buildDeb({ name: 'trove-hello', version: '1.0-1', files: { '/usr/share/trove-hello/hello.txt': 'hello from Trove\n' } }, work);
    const up = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${dev.token}`, '--upload-file', deb, uploadUrl('trove-hello_1.0-1_all.deb')]);
    assert.equal(up.code, 0, up.body + up.stderr);
    assert.equal(up.status, 201);
    const event = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([event.actor.type, event.actor.username, event.actor.token_name], ['personal_access_token', 'devon', 'devon-laptop']);
    assert.deepEqual([event.via, event.client?.name], ['api', 'curl']);
    assert.deepEqual(event.package, {
      id: event.package.id, format: 'debian', name: 'trove-hello', version: '1.0-1',
      files: [{ file_name: 'trove-hello_1.0-1_all.deb', size: readFileSync(deb).length, sha256: sha256(readFileSync(deb)) }],
    });
    // A second package depending on the first, for apt to resolve.
    const app = await buildDeb({ name: 'trove-app', version: '2:0.9~rc1+dfsg-3', architecture: 'amd64', control: 'Depends: trove-hello (>= 1.0)', files: { '/usr/share/trove-app/app.txt': 'app\n' }, compression: 'gzip' }, work);
    const second = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${dev.token}`, '--upload-file', app, uploadUrl('trove-app_0.9~rc1+dfsg-3_amd64.deb')]);
    assert.equal(second.code, 0, second.body + second.stderr);
  });

  it('apt-get verifies the signed InRelease, resolves and downloads, dpkg installs; downloads are audited as apt’s', async () => {
    const keyFile = await keyFileOf('tools');
    const apt = sandbox(keyFile);
    const update = await apt.update();
    assert.equal(update.code, 0, update.stdout + update.stderr);
    assert.doesNotMatch(update.stdout + update.stderr, /^(W|E):/m, update.stdout + update.stderr);
    assert.ok(apt.lists().some((f) => f.endsWith('_dists_tools_InRelease')), apt.lists().join(' '));

    const { result, debs } = await apt.download(['trove-app']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(debs.map((d) => d.split('/').pop()).sort(), ['trove-app_2%3a0.9~rc1+dfsg-3_amd64.deb', 'trove-hello_1.0-1_all.deb']);
    const installed = await apt.installInRoot(debs);
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    assert.equal(apt.file('usr/share/trove-hello/hello.txt'), 'hello from Trove\n');
    assert.equal(apt.file('usr/share/trove-app/app.txt'), 'app\n');

    const downloads = await waitFor('apt’s two download events', async () => {
      const found = await world.root.expect(200, 'GET', `${events()}?event_name=package_registry_package_downloaded&per_page=100`);
      return found.length >= 2 ? found : null;
    });
    assert.deepEqual(downloads.map((e: any) => e.package.name).sort(), ['trove-app', 'trove-hello']);
    for (const download of downloads) {
      assert.deepEqual([download.actor.type, download.actor.token_name, download.client?.name, download.via], ['deploy_token', 'apt-reader', 'Debian APT-HTTP', 'package_client']);
    }

    // The same Release verifies with gpgv and the distribution's key, detached (Release.gpg) as well.
    const release = join(work, 'Release');
    const signature = join(work, 'Release.gpg');
    const keyring = join(work, 'tools.gpg');
    for (const [file, out] of [['Release', release], ['Release.gpg', signature]]) {
      const got = await curl(['--fail', '-H', `Deploy-Token: ${reader.token}`, '-o', out, `${trove.baseUrl}${debianRoot()}/dists/stable/${file}`]);
      assert.equal(got.code, 0, got.stderr);
    }
    assert.equal((await run('gpg', ['--batch', '--yes', '--dearmor', '-o', keyring, keyFile])).code, 0);
    const verified = await run('gpgv', ['--keyring', keyring, signature, release]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(readFileSync(release, 'utf8'), /^Suite: stable\nCodename: tools\nDate: .+ UTC\nValid-Until: .+ UTC\n/m);
  });

  it('apt-get refuses the distribution when the key it trusts is not the one that signed', async () => {
    const apt = sandbox(await keyFileOf('other'));
    const update = await apt.update();
    const output = update.stdout + update.stderr;
    assert.match(output, /NO_PUBKEY|signatures couldn't be verified/, output);
    assert.ok(!apt.lists().some((f) => f.includes('Packages')), 'no index accepted');
    const { result } = await apt.download(['trove-hello']);
    assert.notEqual(result.code, 0, 'nothing to install from an unverified source');
  });

  it('refuses a traversal file name, a bad control file, a file over the limit and an unknown distribution: audited, nothing stored', async () => {
    const before = { packages: await packagesText(), blobs: await fileBlobs(world.root, [project.id]) };
    const denials = await eventCount(world.root, events(), `&event_name=${DENIED}`);
    const good = readFileSync(await buildDeb({ name: 'trove-good', version: '1.0' }, work));
    const traversal = await rawRequest('PUT', `${trove.baseUrl}${debianRoot()}/..%2F..%2Fevil.deb?distribution=tools&component=main`, { 'PRIVATE-TOKEN': dev.token }, good);
    assert.equal(traversal, 400);

    const badName = readFileSync(await buildDebWithBadName());
    const badControl = await curl(['-H', `PRIVATE-TOKEN: ${dev.token}`, '--data-binary', `@${writeTemp('bad.deb', badName)}`, '-X', 'PUT', uploadUrl('bad_1.0_all.deb')]);
    assert.equal(badControl.status, 400, badControl.body);
    assert.match(badControl.json.message, /Package name "Bad_Name" is invalid/);
    const notDeb = await curl(['-H', `PRIVATE-TOKEN: ${dev.token}`, '--data-binary', `@${writeTemp('fake.deb', gzipSync(Buffer.from('not a deb')))}`, '-X', 'PUT', uploadUrl('fake_1.0_all.deb')]);
    assert.equal(notDeb.status, 400, notDeb.body);
    assert.match(notDeb.json.message, /not an ar archive/);

    const large = await buildDeb({ name: 'trove-large', version: '1.0', files: { '/usr/share/trove-large/blob': randomBytes(MAX_UPLOAD).toString('base64') } }, work);
    const tooLarge = await curl(['-H', `PRIVATE-TOKEN: ${dev.token}`, '--upload-file', large, uploadUrl('trove-large_1.0_all.deb')]);
    assert.equal(tooLarge.status, 413, tooLarge.body);

    const unknown = await curl(['-H', `PRIVATE-TOKEN: ${dev.token}`, '--upload-file', writeTemp('good.deb', good), uploadUrl('trove-good_1.0_all.deb', '?distribution=nowhere&component=main')]);
    assert.equal(unknown.status, 404, unknown.body);

    assert.equal(await eventCount(world.root, events(), `&event_name=${DENIED}`), denials + 5);
    const denied = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([denied.outcome, denied.actor.token_name], ['failure', 'devon-laptop']);
    assert.deepEqual({ packages: await packagesText(), blobs: await fileBlobs(world.root, [project.id]) }, before);
  });

  /** Builds `name` 1.0-1 in a folder of its own with its .changes (dput writes its .upload log beside it). */
  async function debWithChanges(name: string, distribution: string, sha256Of?: (deb: string) => string) {
    const dir = tempDir(`trove-dput-${name}-`);
    const deb = await buildDeb({ name, version: '1.0-1', files: { [`/usr/share/${name}/hello.txt`]: `${name} via dput\n` } }, dir);
    const changes = join(dir, `${name}_1.0-1_all.changes`);
    writeFileSync(changes, changesFor({ source: name, version: '1.0-1', distribution, debs: [deb], sha256Of }));
    return { deb, changes };
  }
  const dputAs = (user: TestUser, changes: string) => dput({ baseUrl: trove.baseUrl, incoming: debianRoot(), login: user.username, password: user.token, changes });

  it('dput uploads a .deb to incoming, then its .changes publishes it to the distribution it names; apt installs it; audited as dput’s', async () => {
    const { changes } = await debWithChanges('trove-dput', 'stable');
    const up = await dputAs(dev, changes);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /Uploading trove-dput_1\.0-1_all\.deb: need authentication\.\n.*done\./s);

    const published = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([published.package.name, published.package.version, published.package.files[0].file_name], ['trove-dput', '1.0-1', 'trove-dput_1.0-1_all.deb']);
    assert.deepEqual([published.actor.username, published.actor.token_name, published.client?.name, published.via], ['devon', 'devon-laptop', 'dput', 'package_client']);
    // The file left incoming in the same write.
    const moved = await latestEvent(world.root, events(), 'package_registry_package_file_deleted');
    assert.deepEqual([moved.package.name, moved.package.files[0].file_name, moved.client?.name], ['incoming', 'trove-dput_1.0-1_all.deb', 'dput']);
    assert.ok((await packagesText()).includes('trove-dput@1.0-1'));
    assert.ok(!(await packagesText()).some((p: string) => p.startsWith('incoming@')), 'incoming is not listed');

    const apt = sandbox(await keyFileOf('tools'));
    const update = await apt.update();
    assert.equal(update.code, 0, update.stdout + update.stderr);
    const { result, debs } = await apt.download(['trove-dput']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const installed = await apt.installInRoot(debs);
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    assert.equal(apt.file('usr/share/trove-dput/hello.txt'), 'trove-dput via dput\n');
  });

  it('dput uploads a source package (dpkg-buildpackage -S, signed .changes): one audited write; apt-get source downloads and unpacks it; the .buildinfo is in the pool', async () => {
    const built = await buildSourcePackage({ name: 'trove-src', upstream: '1.0', revision: '1', distribution: 'tools', files: { 'hello.txt': 'hello from a source package\n' } });
    const names = ['trove-src_1.0-1.dsc', 'trove-src_1.0.orig.tar.gz', 'trove-src_1.0-1.debian.tar.xz', 'trove-src_1.0-1_source.buildinfo'];
    const before = await packagesText();

    // A .dsc whose Files does not match its tarball, under a .changes that matches everything uploaded: refused, nothing published.
    const bad = tempDir('trove-src-bad-');
    for (const name of names) copyFileSync(join(built.dir, name), join(bad, name));
    const dscText = readFileSync(join(bad, names[0]), 'utf8');
    const origMd5 = createHash('md5').update(readFileSync(join(bad, names[1]))).digest('hex');
    writeFileSync(join(bad, names[0]), dscText.replace(origMd5, '0'.repeat(32)));
    const badChanges = join(bad, 'trove-src_1.0-1_source.changes');
    writeFileSync(badChanges, changesFor({ source: 'trove-src', version: '1.0-1', distribution: 'tools', debs: names.map((name) => join(bad, name)) }));
    // As dput sends them (each file, the .changes last), with curl: quicker.
    for (const path of [...names.map((name) => join(bad, name)), badChanges]) {
      const put = await curl(['-H', `PRIVATE-TOKEN: ${dev.token}`, '--upload-file', path, `${trove.baseUrl}${debianRoot()}/${path.split('/').pop()}`]);
      assert.equal(put.status, path === badChanges ? 400 : 201, put.body);
      if (path === badChanges) assert.match(put.json.message, /trove-src_1\.0\.orig\.tar\.gz: its MD5 checksum is not the one trove-src_1\.0-1\.dsc gives/);
    }
    assert.deepEqual(await packagesText(), before);

    await clearSignInPlace(built.changes);
    assert.match(readFileSync(built.changes, 'utf8'), /^-----BEGIN PGP SIGNED MESSAGE-----/);
    const up = await dputAs(dev, built.changes);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const published = await latestEvent(world.root, events(), 'package_registry_package_published');
    assert.deepEqual([published.package.name, published.package.version], ['trove-src', '1.0-1']);
    assert.deepEqual([published.actor.username, published.actor.token_name, published.client?.name], ['devon', 'devon-laptop', 'dput']);
    const expected = names.map((name) => ({ file_name: name, size: readFileSync(join(built.dir, name)).length, sha256: sha256(readFileSync(join(built.dir, name))) }));
    const sorted = (files: any[]) => [...files].sort((a, b) => a.file_name.localeCompare(b.file_name));
    assert.deepEqual(sorted(published.package.files), sorted(expected));

    const keyFile = await keyFileOf('tools');
    const lines = ['deb', 'deb-src'].map((kind) => `${kind} [signed-by=${keyFile}] ${trove.baseUrl}${debianRoot()} tools main`).join('\n');
    const apt = new AptSandbox(lines, aptAuthConf(trove.baseUrl, debianRoot(), reader.token));
    const update = await apt.update();
    assert.equal(update.code, 0, update.stdout + update.stderr);
    assert.doesNotMatch(update.stdout + update.stderr, /^(W|E):/m, update.stdout + update.stderr);
    const into = tempDir('trove-apt-source-');
    const source = await apt.source('trove-src', into);
    assert.equal(source.code, 0, source.stdout + source.stderr);
    assert.equal(readFileSync(join(into, 'trove-src-1.0', 'hello.txt'), 'utf8'), 'hello from a source package\n');
    assert.match(readFileSync(join(into, 'trove-src-1.0', 'debian', 'changelog'), 'utf8'), /^trove-src \(1\.0-1\) tools;/);

    const buildinfo = await curl(['--fail', '-H', `Deploy-Token: ${reader.token}`, `${trove.baseUrl}${debianRoot()}/pool/tools/t/trove-src/1.0-1/${names[3]}`]);
    assert.equal(buildinfo.code, 0, buildinfo.stderr);
    assert.equal(buildinfo.body, readFileSync(join(built.dir, names[3]), 'utf8'));
  });

  it('refuses a .changes whose checksum differs, that names an unknown distribution or a file not uploaded: audited, nothing published', async () => {
    const before = await packagesText();
    const denials = await eventCount(world.root, events(), `&event_name=${DENIED}`);
    // dput itself checks the MD5 only: a wrong SHA256 reaches Trove, which refuses the .changes.
    const wrong = await debWithChanges('trove-wrong', 'tools', () => '0'.repeat(64));
    const up = await dputAs(dev, wrong.changes);
    assert.notEqual(up.code, 0, up.stdout);
    assert.match(up.stdout, /trove-wrong_1\.0-1_all\.deb: done\.[\s\S]*trove-wrong_1\.0-1_all\.changes: Upload failed: 400/, up.stdout);
    const denied = await latestEvent(world.root, events(), DENIED);
    assert.deepEqual([denied.actor.token_name, denied.client?.name], ['devon-laptop', 'dput']);
    assert.match(JSON.stringify(denied), /SHA256 checksum is not the one trove-wrong_1\.0-1_all\.changes gives/);

    // With curl: an unknown distribution, a file never uploaded.
    const put = (name: string, text: string) => curl(['-H', `PRIVATE-TOKEN: ${dev.token}`, '--data-binary', `@${writeTemp(name, Buffer.from(text))}`, '-X', 'PUT', `${trove.baseUrl}${debianRoot()}/${name}`]);
    const nowhere = await put('nowhere_1.0-1_all.changes', readFileSync(wrong.changes, 'utf8').replace('Distribution: tools', 'Distribution: nowhere'));
    assert.equal(nowhere.status, 404, nowhere.body);
    const missing = await put('missing_1.0-1_all.changes', changesFor({ source: 'trove-missing', version: '1.0-1', distribution: 'tools', debs: [await buildDeb({ name: 'trove-missing', version: '1.0-1' }, tempDir('trove-missing-'))] }));
    assert.equal(missing.status, 400, missing.body);
    assert.match(missing.json.message, /trove-missing_1\.0-1_all\.deb is listed in missing_1\.0-1_all\.changes but was not uploaded/);

    assert.equal(await eventCount(world.root, events(), `&event_name=${DENIED}`), denials + 3);
    assert.deepEqual(await packagesText(), before);
  });

  it('deletes a distribution (audited); its index is gone', async () => {
    await maya.api.expect(204, 'DELETE', `${distributions()}/other`);
    const event = await latestEvent(world.root, events(), 'package_registry_debian_distribution_deleted');
    assert.equal(event.changes.codename.from, 'other');
    const gone = await curl(['-H', `Deploy-Token: ${reader.token}`, `${trove.baseUrl}${debianRoot()}/dists/other/InRelease`]);
    assert.equal(gone.status, 404);
  });

  it('a group distribution serves its projects’ and subgroups’ packages of that codename to apt, signed with its own key, only from projects the reader may read', async () => {
    // "tools" already has trove-app and trove-hello in its distribution "tools"; a project in a subgroup
    // and a project the reader may not read publish to a distribution "tools" of their own.
    const sub = await world.group('deb-apps', group.id);
    const apps = await world.project('apps', sub.id);
    const secret = await world.project('secret', group.id);
    const rita = await world.user('rita', ['read_package_registry'], 'rita-apt');
    await world.addMember('projects', project.id, rita, 20);
    await world.addMember('groups', sub.id, rita, 20);
    for (const [target, name] of [[apps, 'trove-apps'], [secret, 'trove-secret']] as const) {
      await maya.api.expect(201, 'POST', `/api/v4/projects/${target.id}/debian_distributions`, { codename: 'tools' });
      const deb = await buildDeb({ name, version: '1.0', files: { [`/usr/share/${name}/hello.txt`]: `${name} from the group\n` } }, work);
      const up = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${dev.token}`, '--upload-file', deb, `${trove.baseUrl}/api/v4/projects/${target.id}/packages/debian/${name}_1.0_all.deb?distribution=tools&component=main`]);
      assert.equal(up.code, 0, up.body + up.stderr);
    }

    const groupDistributions = `/api/v4/groups/${group.id}/-/debian_distributions`;
    assert.equal((await dev.api.post(groupDistributions, { codename: 'tools' })).status, 403);
    const created = await maya.api.expect(201, 'POST', groupDistributions, { codename: 'tools', architectures: ['amd64'], description: 'Team' });
    await maya.api.expect(200, 'PUT', `${groupDistributions}/tools`, { description: 'The team’s tools' });
    const projectKey = await world.root.expect(200, 'GET', `${distributions()}/tools`);
    assert.notEqual(created.key_fingerprint, projectKey.key_fingerprint, 'a key of its own');
    const groupEvents = `/api/v4/groups/${group.id}/audit_events`;
    const createdEvent = await latestEvent(world.root, groupEvents, 'package_registry_debian_distribution_created');
    const updatedEvent = await latestEvent(world.root, groupEvents, 'package_registry_debian_distribution_updated');
    for (const event of [createdEvent, updatedEvent]) {
      assert.deepEqual([event.entity_type, event.entity_id, event.actor.username, event.details.target_type], ['Group', group.id, 'maya', 'DebianGroupDistribution']);
    }
    assert.deepEqual(createdEvent.changes.key_fingerprint, { from: null, to: created.key_fingerprint });
    assert.deepEqual(updatedEvent.changes, { description: { from: 'Team', to: 'The team’s tools' } });

    const groupRoot = `/api/v4/groups/${group.id}/-/packages/debian`;
    const keyFile = join(work, 'group-tools.asc');
    const key = await curl(['--fail', '-H', `PRIVATE-TOKEN: ${rita.token}`, '-o', keyFile, `${trove.baseUrl}${groupDistributions}/tools/key.asc`]);
    assert.equal(key.code, 0, key.stderr);
    const apt = new AptSandbox(`deb [signed-by=${keyFile}] ${trove.baseUrl}${groupRoot} tools main`, aptAuthConf(trove.baseUrl, groupRoot, rita.token));
    const update = await apt.update();
    assert.equal(update.code, 0, update.stdout + update.stderr);
    assert.doesNotMatch(update.stdout + update.stderr, /^(W|E):/m, update.stdout + update.stderr);
    const { result, debs } = await apt.download(['trove-app', 'trove-apps']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(debs.map((d) => d.split('/').pop()).sort(), ['trove-app_2%3a0.9~rc1+dfsg-3_amd64.deb', 'trove-apps_1.0_all.deb', 'trove-hello_1.0-1_all.deb']);
    const installed = await apt.installInRoot(debs);
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    assert.equal(apt.file('usr/share/trove-apps/hello.txt'), 'trove-apps from the group\n');
    assert.equal(apt.file('usr/share/trove-hello/hello.txt'), 'hello from Trove\n');

    // The project the reader may not read is in nobody's index but its readers', and its pool path is not found.
    const secretPool = `${trove.baseUrl}${groupRoot}/pool/tools/${secret.id}/t/trove-secret/1.0/trove-secret_1.0_all.deb`;
    const index = `${trove.baseUrl}${groupRoot}/dists/tools/main/binary-all/Packages`;
    const ritaIndex = await curl(['-H', `PRIVATE-TOKEN: ${rita.token}`, index]);
    assert.match(ritaIndex.body, new RegExp(`^Filename: pool/tools/${apps.id}/t/trove-apps/1\\.0/trove-apps_1\\.0_all\\.deb$`, 'm'));
    assert.doesNotMatch(ritaIndex.body, /trove-secret/);
    assert.match((await curl(['-H', `PRIVATE-TOKEN: ${maya.token}`, index])).body, /^Package: trove-secret$/m);
    assert.equal((await curl(['-H', `PRIVATE-TOKEN: ${rita.token}`, secretPool])).status, 404);
    assert.equal((await curl([index])).status, 401, 'anonymous callers are asked for credentials');
    assert.equal((await curl(['-o', '/dev/null', '-H', `PRIVATE-TOKEN: ${maya.token}`, secretPool])).status, 200);

    // The Release verifies with the group distribution's key, not with a project's.
    const release = join(work, 'group-Release');
    const signature = join(work, 'group-Release.gpg');
    for (const [file, out] of [['Release', release], ['Release.gpg', signature]]) {
      assert.equal((await curl(['--fail', '-H', `PRIVATE-TOKEN: ${rita.token}`, '-o', out, `${trove.baseUrl}${groupRoot}/dists/tools/${file}`])).code, 0);
    }
    const keyring = join(work, 'group-tools.gpg');
    assert.equal((await run('gpg', ['--batch', '--yes', '--dearmor', '-o', keyring, keyFile])).code, 0);
    assert.equal((await run('gpgv', ['--keyring', keyring, signature, release])).code, 0);
    const projectKeyring = join(work, 'project-tools.gpg');
    assert.equal((await run('gpg', ['--batch', '--yes', '--dearmor', '-o', projectKeyring, await keyFileOf('tools')])).code, 0);
    assert.notEqual((await run('gpgv', ['--keyring', projectKeyring, signature, release])).code, 0, 'the project key did not sign it');

    // apt's download from the group source is audited on the project, as the project source's.
    const download = await waitFor('rita’s download of trove-hello', async () => {
      const found = await world.root.expect(200, 'GET', `${events()}?event_name=package_registry_package_downloaded&per_page=100`);
      return found.find((e: any) => e.actor.token_name === 'rita-apt' && e.package.name === 'trove-hello') ?? null;
    });
    assert.deepEqual([download.actor.username, download.client?.name, download.via], ['rita', 'Debian APT-HTTP', 'package_client']);
  });

  function writeTemp(name: string, bytes: Buffer): string {
    const path = join(work, name);
    writeFileSync(path, bytes);
    return path;
  }

  /** dpkg-deb refuses to build a package named against policy: build a good one and rename it in its control file. */
  async function buildDebWithBadName(): Promise<string> {
    const dir = tempDir('trove-deb-bad-');
    const deb = await buildDeb({ name: 'good-name', version: '1.0', compression: 'gzip' }, dir);
    const unpacked = join(dir, 'unpacked');
    assert.equal((await run('dpkg-deb', ['-R', deb, unpacked])).code, 0);
    const controlPath = join(unpacked, 'DEBIAN', 'control');
    writeFileSync(controlPath, readFileSync(controlPath, 'utf8').replace('Package: good-name', 'Package: Bad_Name'));
    const out = join(dir, 'bad.deb');
    const built = await run('dpkg-deb', ['--nocheck', '-Zgzip', '--root-owner-group', '--build', unpacked, out]);
    assert.equal(built.code, 0, built.stderr);
    return out;
  }
});
