import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat, type ProjectTarget } from '../format.js';
import { assertComposerFileName, assertComposerName, assertComposerVersion } from './composer-names.js';
import { registerComposerRoutes } from './composer-routes.js';

/** Composer reads a group's repository (every project below it): the group is the reader's choice. */
export const GROUP_PLACEHOLDER = '<GROUP_ID>';

const repositoryUrl = ({ baseUrl }: ProjectTarget) => `${baseUrl}/api/v4/group/${GROUP_PLACEHOLDER}/-/packages/composer/packages.json`;
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
        title: 'composer.json: the group’s repository (any group above the project)',
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
