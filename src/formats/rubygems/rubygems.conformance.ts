import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGem, gemBytes, gemHost, GemHome, gemSource } from '../../../test/support/rubygems.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { rawRequest, type FormatDriver } from '../../../test/conformance/format-driver.js';

let counter = 0;

/** RubyGems: gem build and gem push publish, gem fetch downloads; a version has one gem (a platform gem would be a second file). */
export const conformanceDriver: FormatDriver = {
  format: 'rubygems',
  clientName: 'RubyGems',
  via: 'package_client',
  newName: () => `conf_gem_${process.pid}_${++counter}`,
  async publish(ctx, token, name, version) {
    const home = GemHome.create();
    const gem = await buildGem({ name, version }, home);
    const result = await home.gem(['push', gem, '--host', gemHost(ctx.trove.baseUrl, ctx.projectId)], undefined, { GEM_HOST_API_KEY: token });
    return { outcome: { code: result.code, output: result.stdout + result.stderr }, files: [{ fileName: `${name}-${version}.gem`, bytes: readFileSync(gem) }] };
  },
  addFile: null,
  async download(ctx, token, name, version) {
    const home = GemHome.create();
    const dir = tempDir('trove-conf-gem-dl-');
    const result = await home.gem(['fetch', name, '--version', version, '--clear-sources', '--source', gemSource(ctx.trove.baseUrl, ctx.projectId, token)], dir);
    if (result.code !== 0) throw new Error(`gem fetch failed: ${result.stdout}${result.stderr}`);
    return readFileSync(join(dir, `${name}-${version}.gem`));
  },
  badNames: ['../evil', '..', 'a/b', 'a\\b', 'nul\u0000byte', 'sp ace', '.hidden', '-option', '2024'],
  // gem push sends no file name: the stored one is made from the specification.
  badFileNames: [],
  async publishRaw(ctx, token, name, version) {
    const url = `${gemHost(ctx.trove.baseUrl, ctx.projectId)}/api/v1/gems`;
    return rawRequest('POST', url, { authorization: token, 'content-type': 'application/octet-stream' }, await gemBytes(name, version));
  },
};
