import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CargoHome, cargoRegistry, crateBytes, publishBody, publishMetadata, REGISTRY, writeCrate } from '../../../test/support/cargo.js';
import { rawRequest, type FormatDriver } from '../../../test/conformance/format-driver.js';

let counter = 0;

/** Cargo: cargo publish (one .crate per version, so no second file), cargo fetch downloads into CARGO_HOME's cache. */
export const conformanceDriver: FormatDriver = {
  format: 'cargo',
  clientName: 'cargo',
  via: 'package_client',
  newName: () => `conf_crate_${process.pid}_${++counter}`,
  async publish(ctx, token, name, version) {
    const home = CargoHome.create(ctx.trove.baseUrl, ctx.projectId);
    const dir = writeCrate({ name, version });
    // --no-verify: the suite checks the registry, not that the crate compiles.
    const result = await home.cargo(['publish', '--registry', REGISTRY, '--allow-dirty', '--no-verify'], dir, token);
    const packaged = await home.cargo(['package', '--allow-dirty', '--no-verify'], dir);
    if (packaged.code !== 0) throw new Error(`cargo package failed: ${packaged.stderr}`);
    const fileName = `${name}-${version}.crate`;
    return { outcome: { code: result.code, output: result.stdout + result.stderr }, files: [{ fileName, bytes: readFileSync(join(home.home, 'target', 'package', fileName)) }] };
  },
  addFile: null,
  async download(ctx, token, name, version, file) {
    const home = CargoHome.create(ctx.trove.baseUrl, ctx.projectId);
    const dir = writeCrate({ name: 'conf_consumer', version: '0.0.1', dependencies: { [name]: `=${version}` } });
    const result = await home.cargo(['fetch'], dir, token);
    if (result.code !== 0) throw new Error(`cargo fetch failed: ${result.stdout}${result.stderr}`);
    const cache = join(home.cargoHome, 'registry', 'cache');
    const [registryDir] = readdirSync(cache);
    return readFileSync(join(cache, registryDir, file.fileName));
  },
  badNames: ['../evil', '..', 'a/b', 'a\\b', 'nul\u0000byte', 'sp ace', '.hidden', '-option', '2024', 'con'],
  // cargo sends no file name: the stored one is made from the metadata's name and version.
  badFileNames: [],
  async publishRaw(ctx, token, name, version) {
    const url = `${cargoRegistry(ctx.trove.baseUrl, ctx.projectId)}/api/v1/crates/new`;
    return rawRequest('PUT', url, { authorization: token }, publishBody(publishMetadata(name, version), await crateBytes('hostile', version)));
  },
};
