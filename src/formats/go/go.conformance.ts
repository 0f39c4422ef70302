import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curl } from '../../../test/support/generic-curl.js';
import { escapeGoPath, goProxyUrl, uploadGoFile, zipOf } from '../../../test/support/go-client.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { pathSegment, rawRequest, type DriverContext, type FormatDriver, type SentFile } from '../../../test/conformance/format-driver.js';

// Go modules: a version's files are uploaded with curl (go has no publish command), and read
// back over the GOPROXY protocol with curl, since go sends credentials only over HTTPS and the
// conformance Trove speaks plain HTTP (go itself is driven over HTTPS in test/e2e/go-modules.e2e.test.ts).

let counter = 0;
const proxyOf = (ctx: DriverContext) => goProxyUrl(ctx.trove.baseUrl, ctx.projectId);

async function upload(ctx: DriverContext, token: string, name: string, version: string, kind: 'mod' | 'zip', bytes: Buffer) {
  const result = await uploadGoFile(proxyOf(ctx), token, name, version, kind, bytes);
  const file: SentFile = { fileName: `${version}.${kind}`, bytes };
  return { outcome: { code: result.code, output: `${result.status} ${result.body} ${result.stderr}` }, file };
}

export const conformanceDriver: FormatDriver = {
  format: 'go',
  clientName: 'curl',
  via: 'api',
  version: 'v1.0.0',
  newName: () => `example.com/conformance/mod${process.pid}x${++counter}`,
  async publish(ctx, token, name, version) {
    const { outcome, file } = await upload(ctx, token, name, version, 'mod', Buffer.from(`module ${name}\n\ngo 1.19\n// ${randomBytes(8).toString('hex')}\n`));
    return { outcome, files: [file] };
  },
  async addFile(ctx, token, name, version) {
    const zip = await zipOf({ [`${name}@${version}/go.mod`]: `module ${name}\n`, [`${name}@${version}/data.bin`]: randomBytes(64 * 1024) });
    return upload(ctx, token, name, version, 'zip', zip);
  },
  async download(ctx, token, name, version, file) {
    const out = join(tempDir('trove-conf-go-dl-'), 'out.bin');
    const url = `${proxyOf(ctx)}/${escapeGoPath(name)}/@v/${escapeGoPath(file.fileName)}`;
    const result = await curl(['--fail', '-H', `PRIVATE-TOKEN: ${token}`, '-o', out, url]);
    if (result.code !== 0) throw new Error(`curl download failed: ${result.status} ${result.stderr}`);
    return readFileSync(out);
  },
  badNames: ['../evil', 'example.com/../evil', 'example.com/a\\b', 'example.com/nul\u0000byte', 'example.com/sp ace', 'Example.com/x', 'example.com//x', 'example.com/x/'],
  // The file names are the version's: <version>.info, .mod, .zip.
  badFileNames: [],
  async publishRaw(ctx, token, name, version) {
    const url = `${proxyOf(ctx)}/${pathSegment(escapeGoPath(name))}/@v/${pathSegment(version)}.mod`;
    return rawRequest('PUT', url, { 'PRIVATE-TOKEN': token, 'content-type': 'application/octet-stream' }, Buffer.from(`module ${name}\n`));
  },
};
