import type { PackageFormat, PackageTarget, ProjectTarget } from '../format.js';
import { projectPackagesUrl, TOKEN_PLACEHOLDER } from '../format.js';
import { normalizeNothing } from '../format-names.js';
import { assertMavenFileName, assertMavenVersion, parseMavenName } from './maven-names.js';
import { registerMavenRoutes } from './maven-routes.js';
import { MAVEN_DUPLICATE_EXCEPTION_REGEX, MAVEN_DUPLICATES_ALLOWED } from './maven-upload.js';

const text = (assert: (value: string) => unknown) => (value: unknown) => {
  const input = typeof value === 'string' ? value : '';
  assert(input);
  return input;
};

/** settings.xml: the token as a header on every request to the repository id "trove". */
const settingsXml = (tokenHeader: string) =>
  [
    '<!-- ~/.m2/settings.xml -->',
    '<settings>',
    '  <servers>',
    '    <server>',
    '      <id>trove</id>',
    '      <configuration>',
    '        <httpHeaders>',
    `          <property><name>${tokenHeader}</name><value>${TOKEN_PLACEHOLDER}</value></property>`,
    '        </httpHeaders>',
    '      </configuration>',
    '    </server>',
    '  </servers>',
    '</settings>',
  ].join('\n');

const repositoryXml = (element: 'repositories' | 'distributionManagement', url: string) =>
  [`<${element}>`, '  <repository>', '    <id>trove</id>', `    <url>${url}</url>`, '  </repository>', `</${element}>`].join('\n');

function install(target: PackageTarget) {
  const { groupId, artifactId } = parseMavenName(target.name);
  return [
    { title: 'Maven coordinates', command: `${groupId}:${artifactId}:${target.version}` },
    {
      title: 'pom.xml: the dependency',
      command: ['<dependency>', `  <groupId>${groupId}</groupId>`, `  <artifactId>${artifactId}</artifactId>`, `  <version>${target.version}</version>`, '</dependency>'].join('\n'),
    },
    { title: 'pom.xml: the repository', command: repositoryXml('repositories', `${projectPackagesUrl(target)}/maven`) },
    { title: 'settings.xml: the credentials', command: settingsXml('Private-Token') },
    { title: 'Maven command', command: `mvn dependency:get -Dartifact=${groupId}:${artifactId}:${target.version}` },
  ];
}

function publish(target: ProjectTarget) {
  return [
    { title: 'pom.xml: where mvn deploy publishes', command: repositoryXml('distributionManagement', `${projectPackagesUrl(target)}/maven`) },
    { title: 'settings.xml: the credentials (a deploy token here; Job-Token in CI)', command: settingsXml('Deploy-Token') },
    { title: 'Maven command', command: 'mvn deploy' },
  ];
}

export const mavenFormat: PackageFormat = {
  name: 'maven',
  displayName: 'Maven',
  register: registerMavenRoutes,
  credentialHeaders: [],
  names: {
    normalize: normalizeNothing,
    assertName: text(parseMavenName),
    assertVersion: text(assertMavenVersion),
    assertFileName: text(assertMavenFileName),
  },
  // SNAPSHOT builds and metadata are replaced by every deploy; releases only where the namespace allows duplicates.
  replacesFiles: true,
  settings: [MAVEN_DUPLICATES_ALLOWED, MAVEN_DUPLICATE_EXCEPTION_REGEX],
  instructions: { install, publish },
};
