import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curl } from '../../../test/support/generic-curl.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { pathSegment, rawRequest, type DriverContext, type FormatDriver, type SentFile } from '../../../test/conformance/format-driver.js';

let counter = 0;
const fileUrl = (ctx: DriverContext, name: string, version: string, fileName: string) =>
  `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/packages/generic/${pathSegment(name)}/${pathSegment(version)}/${pathSegment(fileName)}`;

async function put(ctx: DriverContext, token: string, name: string, version: string, fileName: string) {
  const path = join(tempDir('trove-conf-generic-'), 'upload.bin');
  const bytes = randomBytes(64 * 1024);
  writeFileSync(path, bytes);
  const result = await curl(['--fail-with-body', '-H', `PRIVATE-TOKEN: ${token}`, '--upload-file', path, fileUrl(ctx, name, version, fileName)]);
  const file: SentFile = { fileName, bytes };
  return { outcome: { code: result.code, output: `${result.status} ${result.body} ${result.stderr}` }, file };
}

/** Generic packages: curl --upload-file and curl -o, as in GitLab's documentation. */
export const conformanceDriver: FormatDriver = {
  format: 'generic',
  clientName: 'curl',
  via: 'api',
  newName: () => `conf-generic-${process.pid}-${++counter}`,
  async publish(ctx, token, name, version) {
    const { outcome, file } = await put(ctx, token, name, version, 'first.bin');
    return { outcome, files: [file] };
  },
  addFile: (ctx, token, name, version) => put(ctx, token, name, version, 'second.bin'),
  async download(ctx, token, name, version, file) {
    const out = join(tempDir('trove-conf-generic-dl-'), 'out.bin');
    const result = await curl(['--fail', '-H', `PRIVATE-TOKEN: ${token}`, '-o', out, fileUrl(ctx, name, version, file.fileName)]);
    if (result.code !== 0) throw new Error(`curl download failed: ${result.status} ${result.stderr}`);
    return readFileSync(out);
  },
  badNames: ['../evil', '..', 'a/b', 'a\\b', 'nul\u0000byte', 'sp ace'],
  badFileNames: ['../evil.bin', '..', 'a/b.bin', 'a\\b.bin', 'nul\u0000.bin', 'tab\t.bin'],
  async publishRaw(ctx, token, name, version, fileName) {
    return rawRequest('PUT', fileUrl(ctx, name, version, fileName ?? 'file.bin'), { 'PRIVATE-TOKEN': token, 'content-type': 'application/octet-stream' }, Buffer.from('payload'));
  },
};
