import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat, type PackageTarget, type ProjectTarget } from '../format.js';
import { assertGoFileName, assertGoModulePath, assertGoVersion } from './go-names.js';
import { registerGoRoutes } from './go-routes.js';

const unknownToString = (assert: (value: string) => string) => (value: unknown) => assert(typeof value === 'string' ? value : '');

/** go sends credentials only over HTTPS, from ~/.netrc (or the GOPROXY URL's user:password). */
function netrcStep(target: ProjectTarget) {
  const host = new URL(target.baseUrl).hostname;
  return { title: 'Credentials for go (~/.netrc; go sends them only over HTTPS)', command: `printf 'machine ${host} login <USERNAME> password ${TOKEN_PLACEHOLDER}\\n' >> ~/.netrc` };
}

function install(target: PackageTarget) {
  const proxy = `${projectPackagesUrl(target)}/go`;
  return [
    netrcStep(target),
    {
      // A module the public checksum database does not know is named in GONOSUMDB; modules that
      // are not here go on to the next proxy (this one answers 404 for them).
      title: 'go get',
      command: `GOPROXY=${proxy},https://proxy.golang.org,direct GONOSUMDB=${target.name} go get ${target.name}@${target.version}`,
    },
  ];
}

function publish(target: ProjectTarget) {
  const proxy = `${projectPackagesUrl(target)}/go`;
  return [
    {
      title: 'Module zip, go.mod and .info of a version (from the module root)',
      command: [
        `MODULE=$(go list -m) VERSION=v1.0.0 && STAGE=$(mktemp -d) && mkdir -p "$STAGE/$MODULE@$VERSION"`,
        `git archive HEAD | tar -x -C "$STAGE/$MODULE@$VERSION"`,
        `(cd "$STAGE" && zip -qr - "$MODULE@$VERSION") > "$VERSION.zip" && cp go.mod "$VERSION.mod"`,
        `printf '{"Version":"%s","Time":"%s"}' "$VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$VERSION.info"`,
      ].join(' && '),
    },
    {
      // Uppercase letters in a module path travel as "!" and the lowercase letter (go's encoding).
      title: 'Upload them with curl (the version appears to go once all three are there)',
      command: `ESCAPED=$(printf '%s' "$MODULE" | sed 's/[A-Z]/!\\L&/g') && for f in info mod zip; do curl --fail --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --upload-file "$VERSION.$f" "${proxy}/$ESCAPED/@v/$VERSION.$f"; done`,
    },
  ];
}

export const goFormat: PackageFormat = {
  name: 'go',
  displayName: 'Go',
  register: registerGoRoutes,
  credentialHeaders: [],
  names: {
    // Module paths are case-sensitive (github.com/Azure is not github.com/azure).
    normalize: normalizeNothing,
    assertName: unknownToString(assertGoModulePath),
    assertVersion: unknownToString(assertGoVersion),
    assertFileName: unknownToString(assertGoFileName),
  },
  // A module version's files are what go.sum pins: never replaced.
  replacesFiles: false,
  settings: [],
  instructions: { install, publish },
};


