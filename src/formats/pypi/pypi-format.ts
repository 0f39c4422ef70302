import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat } from '../format.js';
import { assertPypiFileName, assertPypiName, assertPypiVersion, normalizePypiName } from './pypi-names.js';
import { pypiFileUrl, registerPypiRoutes } from './pypi-routes.js';

export const pypiFormat: PackageFormat = {
  name: 'pypi',
  displayName: 'PyPI',
  register: registerPypiRoutes,
  credentialHeaders: [],
  names: { normalize: normalizePypiName, assertName: assertPypiName, assertVersion: assertPypiVersion, assertFileName: assertPypiFileName },
  // PyPI never replaces a file: a re-upload under the same name is refused, as on pypi.org.
  replacesFiles: false,
  settings: [],
  provenanceUrl: (target) => `${pypiFileUrl(target, target.sha256, target.fileName)}/provenance`,
  instructions: {
    install: (target) => [
      {
        title: 'Install',
        command: `pip install --index-url ${projectPackagesUrl(target).replace('://', `://__token__:${TOKEN_PLACEHOLDER}@`)}/pypi/simple/ ${target.name}==${target.version}`,
      },
    ],
    publish: (target) => [
      { title: 'PyPI: twine', command: `TWINE_USERNAME=__token__ TWINE_PASSWORD=${TOKEN_PLACEHOLDER} twine upload --repository-url ${projectPackagesUrl(target)}/pypi dist/*` },
    ],
  },
};
