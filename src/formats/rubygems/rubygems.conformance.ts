import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildGem, gemBytes, gemHost, GemHome, gemSource } from '../../../test/support/rubygems.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { rawRequest, type DriverContext, type FormatDriver, type SentFile } from '../../../test/conformance/format-driver.js';

let counter = 0;
// The second file of a version: the same gem built for a platform, as gems with native code ship.
const PLATFORM = 'x86_64-linux';

async function push(ctx: DriverContext, token: string, name: string, version: string, platform?: string) {
  const home = GemHome.create();
  const gem = await buildGem({ name, version, platform }, home);
  const result = await home.gem(['push', gem, '--host', gemHost(ctx.trove.baseUrl, ctx.projectId)], undefined, { GEM_HOST_API_KEY: token });
  const file: SentFile = { fileName: basename(gem), bytes: readFileSync(gem) };
  return { outcome: { code: result.code, output: result.stdout + result.stderr }, file };
}

/** RubyGems: gem build and gem push publish (a platform gem of the version is its second file), gem fetch downloads. */
export const conformanceDriver: FormatDriver = {
  format: 'rubygems',
  clientName: 'RubyGems',
  via: 'package_client',
  newName: () => `conf_gem_${process.pid}_${++counter}`,
  async publish(ctx, token, name, version) {
    const { outcome, file } = await push(ctx, token, name, version);
    return { outcome, files: [file] };
  },
  addFile: (ctx, token, name, version) => push(ctx, token, name, version, PLATFORM),
  async download(ctx, token, name, version, file) {
    const home = GemHome.create();
    const dir = tempDir('trove-conf-gem-dl-');
    const platform = file.fileName.endsWith(`-${PLATFORM}.gem`) ? ['--platform', PLATFORM] : ['--platform', 'ruby'];
    const result = await home.gem(['fetch', name, '--version', version, ...platform, '--clear-sources', '--source', gemSource(ctx.trove.baseUrl, ctx.projectId, token)], dir);
    if (result.code !== 0) throw new Error(`gem fetch failed: ${result.stdout}${result.stderr}`);
    return readFileSync(join(dir, file.fileName));
  },
  badNames: ['../evil', '..', 'a/b', 'a\\b', 'nul\u0000byte', 'sp ace', '.hidden', '-option', '2024'],
  // gem push sends no file name: the stored one is made from the specification.
  badFileNames: [],
  async publishRaw(ctx, token, name, version) {
    const url = `${gemHost(ctx.trove.baseUrl, ctx.projectId)}/api/v1/gems`;
    return rawRequest('POST', url, { authorization: token, 'content-type': 'application/octet-stream' }, await gemBytes(name, version));
  },
};
