import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat, type ProjectTarget } from '../format.js';
import { assertNpmName, assertNpmVersion, assertTarballFileName } from './npm-names.js';
import { attestationsUrl } from './npm-metadata.js';
import { registerNpmRoutes } from './npm-routes.js';

/** The project .npmrc: the registry (for a scope only, when the package has one) and the token for its host and path. */
function npmrc(target: ProjectTarget, scope = ''): string {
  const registry = `${projectPackagesUrl(target)}/npm/`;
  return `${scope}registry=${registry}\n${registry.replace(/^https?:/, '')}:_authToken=${TOKEN_PLACEHOLDER}`;
}

export const npmFormat: PackageFormat = {
  name: 'npm',
  displayName: 'npm',
  register: registerNpmRoutes,
  credentialHeaders: [],
  names: {
    normalize: normalizeNothing,
    assertName: assertNpmName,
    assertVersion: assertNpmVersion,
    assertFileName: assertTarballFileName,
  },
  replacesFiles: false,
  settings: [],
  provenanceUrl: (target) => attestationsUrl(`${projectPackagesUrl(target)}/npm`, target.name, target.version),
  instructions: {
    install: (target) => [
      { title: '.npmrc', command: npmrc(target, target.name.startsWith('@') ? `${target.name.split('/')[0]}:` : '') },
      { title: 'Install', command: `npm install ${target.name}@${target.version}` },
    ],
    publish: (target) => [{ title: 'npm: .npmrc in the package folder, then npm publish', command: npmrc(target) }],
  },
};
