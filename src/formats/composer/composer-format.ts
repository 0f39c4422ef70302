import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat, type ProjectTarget } from '../format.js';
import { assertComposerFileName, assertComposerName, assertComposerVersion } from './composer-names.js';
import { registerComposerRoutes } from './composer-routes.js';

/** The project's repository; a group's (`/api/v4/group/:id/-/packages/composer/packages.json`) serves every project below it. */
const repositoryUrl = (target: ProjectTarget) => `${projectPackagesUrl(target)}/composer/packages.json`;
const host = ({ baseUrl }: ProjectTarget) => new URL(baseUrl).host;

export const composerFormat: PackageFormat = {
  name: 'composer',
  displayName: 'Composer',
  register: registerComposerRoutes,
  credentialHeaders: [],
  names: {
    normalize: normalizeNothing,
    assertName: assertComposerName,
    assertVersion: assertComposerVersion,
    assertFileName: assertComposerFileName,
  },
  // A version is its one zip, never replaced: a second upload of a version is refused.
  replacesFiles: false,
  settings: [],
  instructions: {
    install: (target) => [
      {
        title: 'composer.json: the repository',
        command: `"repositories": [\n  { "type": "composer", "url": "${repositoryUrl(target)}" }\n]`,
      },
      ...(target.baseUrl.startsWith('http://') ? [{ title: 'Allow the repository over plain http', command: 'composer config secure-http false' }] : []),
      { title: 'auth.json: the token', command: `composer config http-basic.${host(target)} __token__ ${TOKEN_PLACEHOLDER}` },
      { title: 'Install', command: `composer require ${target.name}:${target.version}` },
    ],
    publish: (target) => [
      { title: 'Zip a tag of the package (composer.json at its top)', command: 'git archive --format=zip --output my-lib.zip v1.0.0' },
      {
        title: 'Composer: curl',
        command: `curl --fail-with-body --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --form package=@my-lib.zip --form version=1.0.0 "${projectPackagesUrl(target)}/composer"`,
      },
    ],
  },
};
