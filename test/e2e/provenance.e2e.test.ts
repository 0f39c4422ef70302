import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { latestEvent } from '../support/audit.js';
import { fastBlobGc, PURGE_JOB, TEST_RESTORE_SECONDS, waitForJobRun } from '../support/background-jobs.js';
import { launchChromium } from '../support/browser.js';
import { makeConsumer, NpmClient } from '../support/npm-client.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';
import { digestsOf, pep740Attestation, PYPI_PUBLISH_V1, sigstoreBundle, SLSA_PROVENANCE_V1, type Subject } from '../support/provenance-documents.js';
import { twineForm } from '../support/python-client.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { newUiPage, signInWithToken } from '../support/web-ui-browser.js';
import { World, type TestUser } from '../support/world.js';

// Provenance (docs/api.md#provenance): an npm publish carrying the Sigstore bundle that
// `npm publish --provenance` attaches, and a PyPI upload carrying PEP 740 attestations as
// `twine upload --attestations` sends them. Neither client can sign offline (Sigstore), so the
// bodies are built as those clients build them; the real npm client reads what Trove serves and
// installs. A document whose statement is about other bytes is refused with nothing stored.

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const purl = (name: string, version: string) => `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;

/** `npm publish --provenance`'s body: the tarball and, beside it, `<name>-<version>.sigstore` with the bundle as JSON text (libnpmpublish). */
async function provenancePublish(name: string, version: string, subjects?: (tarball: Buffer) => Subject[], content = '') {
  const tarball = await packageTarball(name, version, content ? [{ name: 'package/extra.txt', content }] : []);
  const bundle = sigstoreBundle(subjects ? subjects(tarball) : [{ name: purl(name, version), digest: { sha512: digestsOf(tarball).sha512 } }]);
  const text = JSON.stringify(bundle);
  const body = publishBody(name, version, tarball);
  Object.assign(body._attachments, { [`${name}-${version}.sigstore`]: { content_type: bundle.mediaType, data: text, length: text.length } });
  return { body, bundle, text, tarball };
}

interface Setup {
  trove: RunningTrove;
  world: World;
  group: { id: number; full_path: string };
  project: { id: number; path_with_namespace: string };
  maintainer: TestUser;
}

async function setUp(env?: Record<string, string>): Promise<Setup> {
  const trove = await startTrove({ env });
  const world = new World(trove);
  const group = await world.group('acme');
  const project = await world.project('web-app', group.id);
  const maintainer = await world.user('mia', ['api'], 'mia-ci');
  await world.addMember('groups', group.id, maintainer, 40);
  return { trove, world, group, project, maintainer };
}

describe('provenance documents published with npm and PyPI files', () => {
  let s: Setup;
  let browser: Browser | undefined;
  const npmBase = () => `/api/v4/projects/${s.project.id}/packages/npm`;
  const pypiBase = () => `/api/v4/projects/${s.project.id}/packages/pypi`;
  const groupEvents = () => `/api/v4/groups/${s.group.id}/audit_events`;
  const publish = (name: string, body: unknown) => s.maintainer.api.put(`${npmBase()}/${encodeURIComponent(name)}`, body);
  const filesOf = async (name: string, version: string) => {
    const [pkg] = await s.maintainer.api.expect(200, 'GET', `/api/v4/projects/${s.project.id}/packages?package_name=${encodeURIComponent(name)}&package_version=${version}`);
    return { pkg, files: await s.maintainer.api.expect(200, 'GET', `/api/v4/projects/${s.project.id}/packages/${pkg.id}/package_files`) };
  };

  /** The form `twine upload --attestations` posts (twine 6: the attestation files' JSON as one `attestations` array field). */
  async function twineUpload(fileName: string, content: Buffer<ArrayBuffer>, attestations: unknown[] | null) {
    const form = twineForm('acme-signed', '1.0.0', fileName, content, attestations ? { attestations: JSON.stringify(attestations) } : {});
    const headers = { 'user-agent': 'twine/6.1.0 CPython/3.11.2', authorization: `Basic ${Buffer.from(`__token__:${s.maintainer.token}`).toString('base64')}` };
    const res = await fetch(`${s.trove.baseUrl}${pypiBase()}`, { method: 'POST', body: form, headers });
    return { status: res.status, text: await res.text() };
  }

  before(async () => {
    s = await setUp();
  });

  after(async () => {
    await browser?.close();
    await s?.trove.stop();
  });

  it('npm: the bundle is served as npm serves it, recorded in the publish event, and npm view and install work', async () => {
    const { body, bundle, text, tarball } = await provenancePublish('@acme/signed', '1.0.0');
    const res = await publish('@acme/signed', body);
    assert.equal(res.status, 200, res.text);

    const npm = new NpmClient(`${s.trove.baseUrl}${npmBase()}/`, s.maintainer.token);
    const view = await npm.npm(['view', '@acme/signed@1.0.0', 'dist.attestations', '--json']);
    assert.equal(view.code, 0, view.stderr);
    const attestationsUrl = `${s.trove.baseUrl}${npmBase()}/-/npm/v1/attestations/@acme%2fsigned@1.0.0`;
    assert.deepEqual(JSON.parse(view.stdout), { url: attestationsUrl, provenance: { predicateType: SLSA_PROVENANCE_V1 } });

    const served = await s.maintainer.api.get(new URL(attestationsUrl).pathname);
    assert.equal(served.status, 200, served.text);
    assert.deepEqual(served.body, { attestations: [{ predicateType: SLSA_PROVENANCE_V1, bundle }] });

    const consumer = makeConsumer();
    const install = await npm.npm(['install', '@acme/signed@1.0.0'], consumer);
    assert.equal(install.code, 0, install.stderr);

    const event = await latestEvent(s.maintainer.api, groupEvents(), 'package_registry_package_published');
    assert.equal(event.package.name, '@acme/signed');
    assert.deepEqual(event.details.provenance, [
      {
        file_name: 'signed-1.0.0.tgz',
        kind: 'sigstore_bundle',
        sha256: sha256(text),
        predicate_type: SLSA_PROVENANCE_V1,
        subjects: [{ name: purl('@acme/signed', '1.0.0'), digest: { sha512: digestsOf(tarball).sha512 } }],
      },
    ]);
  });

  it('npm: a bundle about other bytes or another package is refused with nothing stored; a manifest cannot claim attestations', async () => {
    const otherBytes = await provenancePublish('@acme/signed', '1.0.1', () => [{ name: purl('@acme/signed', '1.0.1'), digest: { sha512: digestsOf(Buffer.from('x')).sha512 } }]);
    const refused = await publish('@acme/signed', otherBytes.body);
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.body.error, /subject digest does not match/);
    const denied = await latestEvent(s.maintainer.api, groupEvents(), 'package_registry_package_publish_denied');
    assert.equal(denied.package.version, '1.0.1');
    assert.match(denied.reason, /subject digest does not match/);
    const otherName = await provenancePublish('@acme/signed', '1.0.1', (t) => [{ name: purl('@acme/other', '1.0.1'), digest: { sha512: digestsOf(t).sha512 } }]);
    assert.equal((await publish('@acme/signed', otherName.body)).status, 400);
    assert.equal((await s.maintainer.api.get(`${npmBase()}/@acme%2fsigned/1.0.1`)).status, 404);
    assert.equal((await s.maintainer.api.get(`${npmBase()}/-/npm/v1/attestations/@acme%2fsigned@1.0.1`)).status, 404);

    const forged = publishBody('plain', '1.0.0', await packageTarball('plain', '1.0.0'), { dist: { attestations: { url: 'https://evil.example/', provenance: { predicateType: 'x' } } } });
    assert.equal((await publish('plain', forged)).status, 200);
    const doc = await s.maintainer.api.get(`${npmBase()}/plain/1.0.0`);
    assert.equal(doc.body.dist.attestations, undefined);
    assert.equal((await s.maintainer.api.get(`${npmBase()}/-/npm/v1/attestations/plain@1.0.0`)).status, 404);
  });

  it('PyPI: attestations are served as PEP 740 provenance from both simple APIs, recorded, and go with their file', async () => {
    const wheel = Buffer.from('wheel bytes of acme-signed 1.0.0');
    const wheelName = 'acme_signed-1.0.0-py3-none-any.whl';
    const wrong = pep740Attestation([{ name: wheelName, digest: { sha256: digestsOf(Buffer.from('other')).sha256 } }]);
    const refused = await twineUpload(wheelName, wheel, [wrong]);
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /subject digest does not match/);
    assert.equal((await s.maintainer.api.get(`${pypiBase()}/simple/acme-signed/`)).status, 404, 'nothing stored');

    const attestation = pep740Attestation([{ name: wheelName, digest: { sha256: digestsOf(wheel).sha256 } }]);
    const uploaded = await twineUpload(wheelName, wheel, [attestation]);
    assert.equal(uploaded.status, 201, uploaded.text);
    const sdist = Buffer.from('sdist bytes of acme-signed 1.0.0');
    const sdistName = 'acme_signed-1.0.0.tar.gz';
    const sdistSubject = [{ name: sdistName, digest: { sha256: digestsOf(sdist).sha256 } }];
    assert.equal((await twineUpload(sdistName, sdist, [pep740Attestation(sdistSubject), pep740Attestation(sdistSubject, SLSA_PROVENANCE_V1)])).status, 201);

    const wheelUrl = `${s.trove.baseUrl}${pypiBase()}/files/${digestsOf(wheel).sha256}/${wheelName}`;
    const html = await s.maintainer.api.get(`${pypiBase()}/simple/acme-signed/`);
    assert.ok(html.text.includes(`>${wheelName}<`) && html.text.includes(`data-provenance="${wheelUrl}/provenance"`), html.text);
    const json = await s.maintainer.api.get(`${pypiBase()}/simple/acme-signed/`, { accept: 'application/vnd.pypi.simple.v1+json' });
    const wheelEntry = json.body.files.find((f: { filename: string }) => f.filename === wheelName);
    assert.equal(wheelEntry.provenance, `${wheelUrl}/provenance`);

    const provenance = await s.maintainer.api.get(`${pypiBase()}/files/${digestsOf(wheel).sha256}/${wheelName}/provenance`);
    assert.equal(provenance.status, 200, provenance.text);
    assert.deepEqual(provenance.body, { version: 1, attestation_bundles: [{ publisher: { kind: 'personal_access_token', claims: null }, attestations: [attestation] }] });

    const added = await latestEvent(s.maintainer.api, groupEvents(), 'package_registry_package_file_added');
    assert.deepEqual(
      added.details.provenance.map((p: { file_name: string; predicate_type: string; subjects: Subject[] }) => [p.file_name, p.predicate_type, p.subjects]),
      [[sdistName, PYPI_PUBLISH_V1, sdistSubject], [sdistName, SLSA_PROVENANCE_V1, sdistSubject]],
    );

    // The package page's data: each file's documents with their digest and where they are served.
    const { pkg, files } = await filesOf('acme-signed', '1.0.0');
    const listed = files.find((f: { file_name: string }) => f.file_name === wheelName);
    assert.deepEqual(listed.provenance.map((p: { sha256: string; url: string }) => [p.sha256, p.url]), [[sha256(JSON.stringify(attestation)), `${wheelUrl}/provenance`]]);

    // Deleting the file deletes its attestations; the name may then be uploaded again, without them.
    const sdistFile = files.find((f: { file_name: string }) => f.file_name === sdistName);
    await s.maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${s.project.id}/packages/${pkg.id}/package_files/${sdistFile.id}`);
    assert.equal((await s.maintainer.api.get(`${pypiBase()}/files/${digestsOf(sdist).sha256}/${sdistName}/provenance`)).status, 404);
    assert.equal((await twineUpload(sdistName, sdist, null)).status, 201);
    const again = await s.maintainer.api.get(`${pypiBase()}/simple/acme-signed/`, { accept: 'application/vnd.pypi.simple.v1+json' });
    assert.equal(again.body.files.find((f: { filename: string }) => f.filename === sdistName).provenance, null);
  });

  it('a deleted version hides its provenance and a restore brings it back', async () => {
    const { pkg } = await filesOf('@acme/signed', '1.0.0');
    const attestations = `${npmBase()}/-/npm/v1/attestations/@acme%2fsigned@1.0.0`;
    await s.maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${s.project.id}/packages/${pkg.id}`);
    assert.equal((await s.maintainer.api.get(attestations)).status, 404);
    const listed = await s.maintainer.api.expect(200, 'GET', `/api/v4/projects/${s.project.id}/packages/${pkg.id}/package_files`);
    assert.equal(listed[0].provenance[0].url, null, 'kept for the restore, not served');
    await s.maintainer.api.expect(201, 'POST', `/api/v4/projects/${s.project.id}/packages/${pkg.id}/restore`);
    assert.equal((await s.maintainer.api.get(attestations)).status, 200);
  });

  it('the package page shows a Provenance line per document with a link to it', async () => {
    browser = await launchChromium();
    const page = await newUiPage(browser);
    const { pkg, files } = await filesOf('@acme/signed', '1.0.0');
    await page.goto(`${s.trove.baseUrl}/projects/${s.project.path_with_namespace}/-/packages/${pkg.id}`);
    await signInWithToken(page, s.maintainer.token);
    const line = page.getByRole('list', { name: `Provenance of ${files[0].file_name}` });
    await line.waitFor();
    const text = await line.innerText();
    assert.match(text, /Provenance \(Sigstore bundle\): https:\/\/slsa\.dev\/provenance\/v1/);
    assert.ok(text.includes(`sha512:${files[0].provenance[0].subjects[0].digest.sha512}`), text);
    assert.ok(text.includes(files[0].provenance[0].sha256), text);
    assert.equal(await line.getByRole('link', { name: 'view document' }).getAttribute('href'), `${s.trove.baseUrl}${npmBase()}/-/npm/v1/attestations/@acme%2fsigned@1.0.0`);
  });
});

describe('provenance is purged with its version', () => {
  let s: Setup;

  before(async () => {
    s = await setUp(fastBlobGc());
  });

  after(async () => {
    await s?.trove.stop();
  });

  it('after the purge the version can be published anew, and serves the new bundle', async () => {
    const npmBase = `/api/v4/projects/${s.project.id}/packages/npm`;
    const first = await provenancePublish('signed', '2.0.0');
    await s.maintainer.api.expect(200, 'PUT', `${npmBase}/signed`, first.body);
    const [pkg] = await s.maintainer.api.expect(200, 'GET', `/api/v4/projects/${s.project.id}/packages?package_name=signed`);
    await s.maintainer.api.expect(204, 'DELETE', `/api/v4/projects/${s.project.id}/packages/${pkg.id}`);
    // The first purge run that starts once the restore window is over purges it (or fails the test).
    await waitForJobRun(s.world.root, PURGE_JOB, Date.now() + TEST_RESTORE_SECONDS * 1000);
    const purged = await latestEvent(s.world.root, `/api/v4/groups/${s.group.id}/audit_events`, 'package_registry_package_purged');
    assert.equal(purged.package.id, pkg.id);

    const second = await provenancePublish('signed', '2.0.0', undefined, 'rebuilt');
    await s.maintainer.api.expect(200, 'PUT', `${npmBase}/signed`, second.body);
    const served = await s.maintainer.api.expect(200, 'GET', `${npmBase}/-/npm/v1/attestations/signed@2.0.0`);
    assert.deepEqual(served, { attestations: [{ predicateType: SLSA_PROVENANCE_V1, bundle: second.bundle }] });
  });
});
