import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AptSandbox, aptAuthConf, buildDeb, rawDeb } from '../../../test/support/debian-apt.js';
import { curl } from '../../../test/support/generic-curl.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { pathSegment, rawRequest, type DriverContext, type FormatDriver, type SentFile } from '../../../test/conformance/format-driver.js';

// Debian: dpkg-deb builds the .deb, curl uploads it to a distribution (GitLab's documented way),
// apt-get downloads it after verifying the distribution's signed InRelease.

const DISTRIBUTION = 'conformance';
let counter = 0;
const debianRoot = (ctx: DriverContext) => `/api/v4/projects/${ctx.projectId}/packages/debian`;
const distributionsUrl = (ctx: DriverContext) => `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/debian_distributions`;
const uploadUrl = (ctx: DriverContext, fileName: string) => `${ctx.trove.baseUrl}${debianRoot(ctx)}/${pathSegment(fileName)}?distribution=${DISTRIBUTION}&component=main`;

const ready = new Map<string, Promise<void>>();

/** The distribution the driver publishes to, created once per project by the administrator (creating one takes a maintainer). */
function distributionFor(ctx: DriverContext): Promise<void> {
  const key = `${ctx.trove.baseUrl} ${ctx.projectId}`;
  let made = ready.get(key);
  if (!made) {
    made = (async () => {
      const body = JSON.stringify({ codename: DISTRIBUTION, architectures: ['amd64', 'arm64'] });
      const res = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${ctx.trove.rootToken}`, '-H', 'content-type: application/json', '--data', body, distributionsUrl(ctx)]);
      if (res.code !== 0) throw new Error(`creating the distribution failed: ${res.status} ${res.body}`);
    })();
    ready.set(key, made);
  }
  return made;
}

async function put(ctx: DriverContext, token: string, name: string, version: string, architecture: string) {
  await distributionFor(ctx);
  const path = await buildDeb({ name, version, architecture, files: { [`/usr/share/${name}/${architecture}.txt`]: `${name} ${version} ${architecture} ${Math.random()}\n` } }, tempDir('trove-conf-debian-'));
  const fileName = path.split('/').pop()!;
  const result = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${token}`, '--upload-file', path, uploadUrl(ctx, fileName)]);
  const file: SentFile = { fileName, bytes: readFileSync(path) };
  return { outcome: { code: result.code, output: `${result.status} ${result.body} ${result.stderr}` }, file };
}

export const conformanceDriver: FormatDriver = {
  format: 'debian',
  clientName: 'curl',
  via: 'api',
  newName: () => `conf-debian-${process.pid}-${++counter}`,
  async publish(ctx, token, name, version) {
    const { outcome, file } = await put(ctx, token, name, version, 'amd64');
    return { outcome, files: [file] };
  },
  // Another architecture of the version is another file of it.
  addFile: (ctx, token, name, version) => put(ctx, token, name, version, 'arm64'),
  async download(ctx, token, name, version, file) {
    const architecture = file.fileName.replace(/\.deb$/, '').split('_').pop()!;
    const keyFile = join(tempDir('trove-conf-debian-key-'), 'key.asc');
    const key = await curl(['--fail', '-H', `PRIVATE-TOKEN: ${token}`, '-o', keyFile, `${distributionsUrl(ctx)}/${DISTRIBUTION}/key.asc`]);
    if (key.code !== 0) throw new Error(`key.asc: ${key.status} ${key.stderr}`);
    const apt = new AptSandbox(`deb [signed-by=${keyFile}] ${ctx.trove.baseUrl}${debianRoot(ctx)} ${DISTRIBUTION} main`, aptAuthConf(ctx.trove.baseUrl, debianRoot(ctx), token), ['amd64', 'arm64']);
    const update = await apt.update();
    if (update.code !== 0) throw new Error(`apt-get update failed: ${update.stdout}${update.stderr}`);
    const { result, debs } = await apt.download([`${name}:${architecture}=${version}`]);
    if (result.code !== 0 || debs.length !== 1) throw new Error(`apt-get download failed: ${result.stdout}${result.stderr}`);
    return readFileSync(debs[0]);
  },
  badNames: ['../evil', '..', 'a/b', 'a\\b', 'nul\u0000byte', 'sp ace', 'Upper'],
  badFileNames: ['../evil.deb', '..', 'a/b.deb', 'a\\b.deb', 'nul\u0000.deb', 'tab\t.deb'],
  async publishRaw(ctx, token, name, version, fileName) {
    await distributionFor(ctx);
    const deb = await rawDeb(`Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: T <t@example.com>\nDescription: hostile\n`);
    return rawRequest('PUT', uploadUrl(ctx, fileName ?? 'hostile_1.0.0_amd64.deb'), { 'PRIVATE-TOKEN': token, 'content-type': 'application/octet-stream' }, deb);
  },
};
