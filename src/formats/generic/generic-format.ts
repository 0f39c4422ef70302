import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat } from '../format.js';
import { assertGenericFileName, assertGenericName, assertGenericVersion } from './generic-names.js';
import { registerGenericRoutes } from './generic-routes.js';
import { GENERIC_DUPLICATE_EXCEPTION_REGEX, GENERIC_DUPLICATES_ALLOWED } from './generic-upload.js';

const unknownToString = (assert: (value: string) => string) => (value: unknown) => assert(typeof value === 'string' ? value : '');

export const genericFormat: PackageFormat = {
  name: 'generic',
  displayName: 'Generic',
  register: registerGenericRoutes,
  credentialHeaders: [],
  names: {
    normalize: normalizeNothing,
    assertName: unknownToString(assertGenericName),
    assertVersion: unknownToString(assertGenericVersion),
    assertFileName: unknownToString(assertGenericFileName),
  },
  // Only where the namespace allows duplicates: then a second upload of a file name replaces the file.
  replacesFiles: true,
  settings: [GENERIC_DUPLICATES_ALLOWED, GENERIC_DUPLICATE_EXCEPTION_REGEX],
  instructions: {
    // Generic packages are downloaded file by file.
    install: (target) =>
      target.fileNames.map((fileName) => ({
        title: fileName,
        command: `curl --fail --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --output ${fileName} "${projectPackagesUrl(target)}/generic/${target.name}/${target.version}/${fileName}"`,
      })),
    publish: (target) => [
      {
        title: 'Generic file: curl',
        command: `curl --fail --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --upload-file my-tool.tar.gz "${projectPackagesUrl(target)}/generic/my-tool/1.0.0/my-tool.tar.gz"`,
      },
    ],
  },
};
