import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { libraryZip } from './composer-client.js';
import { rawDeb } from './debian-apt.js';
import { packageTarball, publishBody } from './npm-publish-body.js';
import { crateBytes, publishBody as cratePublishBody, publishMetadata } from './cargo.js';
import { gemBytes } from './rubygems.js';
import type { Api } from './api.js';

// One package of every format in a project, uploaded with raw requests as each format's client
// would send them: what the tests of format-independent pages (install steps, the package list)
// read. Names and versions are the ones those tests expect in the install steps.

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Publishes one version of each format into project `projectId` with `token` (a developer's); `root` creates the Debian distribution "stable". */
export async function publishOneOfEachFormat(baseUrl: string, projectId: number, token: string, root: Api): Promise<void> {
  const packagesUrl = `${baseUrl}/api/v4/projects/${projectId}/packages`;
  // Each client's own credential header: PRIVATE-TOKEN unless the call names another.
  const send = async (path: string, init: { method: string; body: BodyInit; headers?: Record<string, string> }, expected: number) => {
    const res = await fetch(`${packagesUrl}${path}`, { ...init, headers: init.headers?.authorization ? init.headers : { 'PRIVATE-TOKEN': token, ...init.headers } });
    assert.equal(res.status, expected, `${init.method} ${path}: ${await res.text()}`);
  };
  await send('/npm/@acme%2fui-kit', { method: 'PUT', body: JSON.stringify(publishBody('@acme/ui-kit', '1.4.0', await packageTarball('@acme/ui-kit', '1.4.0'))), headers: { 'content-type': 'application/json' } }, 200);
  const wheel = Buffer.from('wheel bytes');
  const form = new FormData();
  const fields = { ':action': 'file_upload', protocol_version: '1', name: 'Acme.Tools', version: '2.0.0', filetype: 'bdist_wheel', pyversion: 'py3', metadata_version: '2.1', sha256_digest: sha256(wheel) };
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('content', new Blob([wheel]), 'acme_tools-2.0.0-py3-none-any.whl');
  await send('/pypi', { method: 'POST', body: form, headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` } }, 201);
  for (const file of ['tool-linux', 'tool-darwin']) await send(`/generic/tool/1.0.0/${file}`, { method: 'PUT', body: new Uint8Array(randomBytes(64)) }, 201);
  await send('/maven/com/acme/billing/3.1.0/billing-3.1.0.jar', { method: 'PUT', body: new Uint8Array(randomBytes(64)) }, 201);
  const composerForm = new FormData();
  composerForm.append('version', '0.9.0');
  composerForm.append('package', new Blob([new Uint8Array(await libraryZip({ name: 'acme/http-client' }))]), 'http-client.zip');
  await send('/composer', { method: 'POST', body: composerForm }, 201);
  await send('/go/example.com/acme/!billing/@v/v1.2.0.mod', { method: 'PUT', body: 'module example.com/acme/Billing\n' }, 201);
  await send('/rubygems/api/v1/gems', { method: 'POST', body: new Uint8Array(await gemBytes('acme-cli', '0.3.0')), headers: { authorization: token } }, 201);
  const crate = cratePublishBody(publishMetadata('acme-sdk', '0.4.0'), await crateBytes('acme-sdk', '0.4.0'));
  await send('/cargo/api/v1/crates/new', { method: 'PUT', body: new Uint8Array(crate), headers: { authorization: token } }, 200);
  await root.expect(201, 'POST', `/api/v4/projects/${projectId}/debian_distributions`, { codename: 'stable' });
  const deb = await rawDeb('Package: acme-cli\nVersion: 1.2.0-1\nArchitecture: all\nMaintainer: A <a@example.com>\nDescription: cli\n');
  await send('/debian/acme-cli_1.2.0-1_all.deb?distribution=stable&component=main', { method: 'PUT', body: new Uint8Array(deb) }, 201);
}
