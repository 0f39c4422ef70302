import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat } from '../format.js';
import { assertGemFileName, assertGemName, assertGemVersion } from './rubygems-names.js';
import { registerRubygemsRoutes } from './rubygems-routes.js';

const sourceUrl = (target: Parameters<typeof projectPackagesUrl>[0]) => `${projectPackagesUrl(target)}/rubygems`;
/** The source with the token as Basic credentials in the URL: gem and bundler send them with every request. */
const sourceWithToken = (target: Parameters<typeof projectPackagesUrl>[0]) => `${sourceUrl(target).replace('://', `://token:${TOKEN_PLACEHOLDER}@`)}/`;

export const rubygemsFormat: PackageFormat = {
  name: 'rubygems',
  displayName: 'RubyGems',
  register: registerRubygemsRoutes,
  // gem push sends its API key as the whole Authorization header, with no scheme.
  credentialHeaders: ['authorization'],
  // Gem names are case-sensitive, as on rubygems.org.
  names: { normalize: normalizeNothing, assertName: assertGemName, assertVersion: assertGemVersion, assertFileName: (fileName) => assertGemFileName(fileName) },
  // A pushed version is immutable: a second push of the same gem file is refused (409).
  replacesFiles: false,
  settings: [],
  instructions: {
    install: (target) => [
      { title: 'gem install', command: `gem install ${target.name} --version ${target.version} --clear-sources --source ${sourceWithToken(target)}` },
      { title: 'Gemfile', command: `source "${sourceWithToken(target)}" do\n  gem "${target.name}", "${target.version}"\nend` },
    ],
    publish: (target) => [{ title: 'RubyGems: gem push', command: `GEM_HOST_API_KEY=${TOKEN_PLACEHOLDER} gem push my_gem-1.0.0.gem --host ${sourceUrl(target)}` }],
  },
};
