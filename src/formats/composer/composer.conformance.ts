import { randomBytes } from 'node:crypto';
import { ComposerProject, libraryEntries, publishZip, zipOf } from '../../../test/support/composer-client.js';
import { rawRequest, type DriverContext, type FormatDriver } from '../../../test/conformance/format-driver.js';

let counter = 0;
const uploadUrl = (ctx: DriverContext) => `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/packages/composer`;

/** The project's repository (the driver's read-only token is a project deploy token, which reads no group). */
const repositoryUrl = (ctx: DriverContext) => `${uploadUrl(ctx)}/packages.json`;

/** A zip of a library named `name`, with random bytes so that every publish is new. */
const packageZip = (name: string, extra: Record<string, string> = {}) =>
  zipOf({ ...libraryEntries({ name }), 'data.bin': randomBytes(2048).toString('base64'), ...extra });

/** Composer: curl uploads the zip (Composer has no publish command); composer require downloads it. */
export const conformanceDriver: FormatDriver = {
  format: 'composer',
  clientName: 'curl',
  via: 'api',
  newName: () => `conformance/app-${process.pid}-${++counter}`,
  async publish(ctx, token, name, version) {
    const bytes = await packageZip(name);
    const result = await publishZip(uploadUrl(ctx), token, bytes, version);
    return {
      outcome: { code: result.code, output: `${result.status} ${result.body} ${result.stderr}` },
      files: [{ fileName: `${name.replace('/', '-')}-${version}.zip`, bytes }],
    };
  },
  addFile: null,
  async download(ctx, token, name, version) {
    const app = new ComposerProject(repositoryUrl(ctx), token);
    const result = await app.composer(['require', `${name}:${version}`]);
    if (result.code !== 0) throw new Error(`composer require failed: ${result.stdout}${result.stderr}`);
    return app.cachedZip(name);
  },
  badNames: ['../evil', 'acme/../evil', '..', 'Acme/Upper', 'acme/sp ace', 'acme/nul\u0000byte', 'no-vendor', 'acme/a\\b', 'acme/.hidden'],
  // The file name is derived from the name and version, never sent.
  badFileNames: [],
  async publishRaw(ctx, token, name, version) {
    const form = new FormData();
    form.set('version', version);
    form.set('package', new Blob([new Uint8Array(await zipOf({ 'composer.json': JSON.stringify({ name }) }))]), 'package.zip');
    const request = new Request('http://trove.invalid/', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    return rawRequest('POST', uploadUrl(ctx), { 'PRIVATE-TOKEN': token, 'content-type': request.headers.get('content-type')! }, body);
  },
};
