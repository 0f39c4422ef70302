import { normalizeNothing } from '../format-names.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER, type PackageFormat, type ProjectTarget } from '../format.js';
import { registerDebianDistributionRoutes } from './debian-distribution-routes.js';
import { assertDebianName, assertDebianVersion, assertUploadFileName } from './debian-names.js';
import { registerDebianRoutes } from './debian-routes.js';

const unknownToString = (assert: (value: string) => string) => (value: unknown) => assert(typeof value === 'string' ? value : '');

/** Written where the distribution's codename goes: a project may have several. */
const CODENAME = '<codename>';

const keyFile = ({ projectId }: ProjectTarget) => `/etc/apt/keyrings/trove-${projectId}.asc`;

/** auth.conf(5) names the machine as host[:port]/path; apt sends credentials over plain http only to an entry that says http://. */
const authMachine = (target: ProjectTarget) => `${projectPackagesUrl(target)}/debian`.replace(/^https:\/\//, '');

export const debianFormat: PackageFormat = {
  name: 'debian',
  displayName: 'Debian',
  register: registerDebianRoutes,
  registerApi: registerDebianDistributionRoutes,
  credentialHeaders: [],
  names: {
    normalize: normalizeNothing,
    assertName: unknownToString(assertDebianName),
    assertVersion: unknownToString(assertDebianVersion),
    assertFileName: unknownToString(assertUploadFileName),
  },
  // A .deb is published once; another architecture is another file of the version.
  replacesFiles: false,
  settings: [],
  instructions: {
    install: (target) => [
      {
        title: 'Signing key of the distribution',
        command: `sudo curl --fail --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --output ${keyFile(target)} "${target.baseUrl}/api/v4/projects/${target.projectId}/debian_distributions/${CODENAME}/key.asc"`,
      },
      {
        title: 'apt credentials',
        command: `printf 'machine ${authMachine(target)} login trove password ${TOKEN_PLACEHOLDER}\\n' | sudo tee /etc/apt/auth.conf.d/trove-${target.projectId}.conf && sudo chmod 600 /etc/apt/auth.conf.d/trove-${target.projectId}.conf`,
      },
      {
        title: 'apt source',
        command: `echo "deb [signed-by=${keyFile(target)}] ${projectPackagesUrl(target)}/debian ${CODENAME} main" | sudo tee /etc/apt/sources.list.d/trove-${target.projectId}.list`,
      },
      { title: 'apt-get', command: `sudo apt-get update && sudo apt-get install ${target.name}=${target.version}` },
    ],
    publish: (target) => [
      {
        title: 'Create a distribution (once)',
        command: `curl --fail --request POST --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --data "codename=stable&architectures=amd64" "${target.baseUrl}/api/v4/projects/${target.projectId}/debian_distributions"`,
      },
      {
        title: '.deb: curl',
        command: `curl --fail --header "PRIVATE-TOKEN: ${TOKEN_PLACEHOLDER}" --upload-file my-tool_1.0.0_amd64.deb "${projectPackagesUrl(target)}/debian/my-tool_1.0.0_amd64.deb?distribution=stable&component=main"`,
      },
      {
        title: '.changes: dput (the files it lists: .debs, or a source package and its .buildinfo; then the .changes; the token is the password)',
        command: `printf '[trove]\\nmethod = ${new URL(target.baseUrl).protocol.replace(':', '')}\\nfqdn = ${new URL(target.baseUrl).host}\\nincoming = ${new URL(projectPackagesUrl(target)).pathname}/debian\\nlogin = <username>\\nallow_unsigned_uploads = 1\\n' >> ~/.dput.cf && echo "${TOKEN_PLACEHOLDER}" | setsid dput trove my-tool_1.0.0_amd64.changes`,
      },
    ],
  },
};
