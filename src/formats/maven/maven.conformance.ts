import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Maven, SERVER_ID, type Coordinates } from '../../../test/support/maven.js';
import { tempDir } from '../../../test/support/trove-process.js';
import { pathSegment, rawRequest, type DriverContext, type FormatDriver, type SentFile } from '../../../test/conformance/format-driver.js';

let counter = 0;
const repositoryUrl = (ctx: DriverContext) => `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/packages/maven`;
const coordinatesOf = (name: string, version: string): Coordinates => {
  const segments = name.split('/');
  return { groupId: segments.slice(0, -1).join('.'), artifactId: segments.at(-1)!, version };
};
/** Basic credentials, as most settings.xml files carry them: mvn then says User-Agent Apache-Maven/... */
const mavenWith = (token: string) => Maven.create({ basic: { username: 'conformance', token } });

/** `mvn deploy:deploy-file` of fresh bytes (the jar, or a classifier of it), no generated pom: one file per deploy. */
async function deploy(ctx: DriverContext, token: string, name: string, version: string, classifier?: string) {
  const coordinates = coordinatesOf(name, version);
  const file = join(tempDir('trove-conf-maven-'), 'artifact.jar');
  const bytes = randomBytes(4096);
  writeFileSync(file, bytes);
  const extra = ['-DgeneratePom=false', ...(classifier ? [`-Dclassifier=${classifier}`] : [])];
  const maven = mavenWith(token);
  const result = await maven.run(
    [
      'org.apache.maven.plugins:maven-deploy-plugin:3.0.0:deploy-file',
      `-Durl=${repositoryUrl(ctx)}`,
      `-DrepositoryId=${SERVER_ID}`,
      `-Dfile=${file}`,
      `-DgroupId=${coordinates.groupId}`,
      `-DartifactId=${coordinates.artifactId}`,
      `-Dversion=${version}`,
      '-Dpackaging=jar',
      ...extra,
    ],
    maven.home,
  );
  const sent: SentFile = { fileName: `${coordinates.artifactId}-${version}${classifier ? `-${classifier}` : ''}.jar`, bytes };
  return { outcome: { code: result.code, output: result.stdout + result.stderr }, file: sent };
}

/** Maven: mvn deploy:deploy-file publishes the jar and then adds its sources jar; mvn dependency:copy downloads. */
export const conformanceDriver: FormatDriver = {
  format: 'maven',
  clientName: 'Apache-Maven',
  via: 'package_client',
  newName: () => `org/conformance/app-${process.pid}-${++counter}`,
  async publish(ctx, token, name, version) {
    const { outcome, file } = await deploy(ctx, token, name, version);
    return { outcome, files: [file] };
  },
  addFile: (ctx, token, name, version) => deploy(ctx, token, name, version, 'sources'),
  async download(ctx, token, name, version, file) {
    const { groupId, artifactId } = coordinatesOf(name, version);
    const classifier = file.fileName.endsWith('-sources.jar') ? ':sources' : '';
    const maven = mavenWith(token);
    // dependency:get resolves from the repository named on the command line (there is no project)
    // into the run's own cold local repository.
    const result = await maven.run(
      [
        'org.apache.maven.plugins:maven-dependency-plugin:3.5.0:get',
        `-Dartifact=${groupId}:${artifactId}:${version}:jar${classifier}`,
        `-DremoteRepositories=${SERVER_ID}::default::${repositoryUrl(ctx)}`,
        '-Dtransitive=false',
      ],
      maven.home,
    );
    if (result.code !== 0) throw new Error(`mvn dependency:get failed: ${result.stdout}${result.stderr}`);
    return readFileSync(join(result.localRepo, ...groupId.split('.'), artifactId, version, file.fileName));
  },
  // Names are GitLab's path form (groupId path / artifactId), so "a/b" is a valid one.
  badNames: ['../evil', '..', 'org/../evil', 'org/a\\b', 'org/nul\u0000byte', 'org/sp ace', 'no-group', 'org/.hidden'],
  badFileNames: ['../evil.jar', '..', 'a/b.jar', 'a\\b.jar', 'nul\u0000.jar', 'tab\t.jar'],
  async publishRaw(ctx, token, name, version, fileName) {
    const artifactId = name.split('/').at(-1) ?? name;
    const path = [...name.split('/').map(pathSegment), pathSegment(version), pathSegment(fileName ?? `${artifactId}-${version}.jar`)].join('/');
    return rawRequest('PUT', `${repositoryUrl(ctx)}/${path}`, { 'PRIVATE-TOKEN': token, 'content-type': 'application/octet-stream' }, Buffer.from('payload'));
  },
};
