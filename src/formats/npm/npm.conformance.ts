import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePackage, NpmClient } from '../../../test/support/npm-client.js';
import { packageTarball, publishBody } from '../../../test/support/npm-publish-body.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { pathSegment, rawRequest, type DriverContext, type FormatDriver } from '../../../test/conformance/format-driver.js';

let counter = 0;
const registry = (ctx: DriverContext) => `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/packages/npm/`;

/** npm: `npm pack` then `npm publish <tgz>`, so the exact bytes sent are known; download with `npm pack <spec>`. */
export const conformanceDriver: FormatDriver = {
  format: 'npm',
  clientName: 'npm',
  via: 'package_client',
  newName: () => `conf-npm-${process.pid}-${++counter}`,
  async publish(ctx, token, name, version) {
    const dir = makePackage(name, version);
    const client = new NpmClient(registry(ctx), token);
    const packed = await client.npm(['pack', '--json', '--pack-destination', dir], dir);
    const fileName = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename;
    const tarball = join(dir, fileName);
    const result = await client.npm(['publish', tarball], dir);
    return { outcome: { code: result.code, output: result.stdout + result.stderr }, files: [{ fileName: `${name}-${version}.tgz`, bytes: readFileSync(tarball) }] };
  },
  addFile: null,
  async download(ctx, token, name, version) {
    const dir = tempDir('trove-conf-npm-dl-');
    const client = new NpmClient(registry(ctx), token);
    const result = await client.npm(['pack', `${name}@${version}`, '--json', '--pack-destination', dir], dir);
    if (result.code !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
    return readFileSync(join(dir, (JSON.parse(result.stdout) as Array<{ filename: string }>)[0].filename));
  },
  badNames: ['../evil', 'a/../../b', '..', 'UPPER', 'sp ace', 'nul\u0000byte', '.hidden', `${'x'.repeat(215)}`],
  async publishRaw(ctx, token, name, version) {
    const tarball = await packageTarball(name, version);
    const url = `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/packages/npm/${pathSegment(name)}`;
    const body = Buffer.from(JSON.stringify(publishBody(name, version, tarball)));
    return rawRequest('PUT', url, { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' }, body);
  },
  badFileNames: [],
};
