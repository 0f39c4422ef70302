import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat } from '../format.js';
import { assertCrateFileName, assertCrateName, assertCrateVersion, normalizeCrateName } from './cargo-names.js';
import { cargoRegistryUrl, registerCargoRoutes } from './cargo-routes.js';

type Target = Parameters<typeof projectPackagesUrl>[0];
/** The registry's name in the user's cargo configuration (any name works; the steps use this one). */
const REGISTRY = 'trove';
const configToml = (target: Target) => `# ~/.cargo/config.toml\n[registries.${REGISTRY}]\nindex = "sparse+${cargoRegistryUrl(target)}/index/"\n[registry]\nglobal-credential-providers = ["cargo:token"]`;
const tokenVariable = `CARGO_REGISTRIES_${REGISTRY.toUpperCase()}_TOKEN=${TOKEN_PLACEHOLDER}`;

export const cargoFormat: PackageFormat = {
  name: 'cargo',
  displayName: 'Cargo',
  register: registerCargoRoutes,
  // cargo sends its token as the whole Authorization header, with no scheme.
  credentialHeaders: ['authorization'],
  // Crate names are unique regardless of case and of "-" against "_".
  names: { normalize: normalizeCrateName, assertName: assertCrateName, assertVersion: assertCrateVersion, assertFileName: assertCrateFileName },
  // A published version is immutable: cargo yank withdraws it.
  replacesFiles: false,
  settings: [],
  instructions: {
    install: (target) => [
      { title: 'Cargo registry', command: configToml(target) },
      { title: 'Cargo.toml', command: `[dependencies]\n${target.name} = { version = "${target.version}", registry = "${REGISTRY}" }` },
      { title: 'cargo build', command: `${tokenVariable} cargo build` },
    ],
    publish: (target) => [
      { title: 'Cargo registry', command: configToml(target) },
      { title: 'cargo publish', command: `${tokenVariable} cargo publish --registry ${REGISTRY}` },
    ],
  },
};
