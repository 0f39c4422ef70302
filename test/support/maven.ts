import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientResult } from './npm-client.js';
import { run } from './python-client.js';
import { tempDir } from './trove-process.js';

// Drives Debian's real Maven (3.8.7, JDK 17) against Trove. Every Maven gets a fresh HOME (this
// machine has a ~/.m2) whose settings.xml sends everything but the repository "trove" to Debian's
// plugin repository, file:///usr/share/maven-repo: no network is needed, and `-o` cannot be used
// because Maven refuses to deploy offline. Every run gets a cold local repository of its own, so a
// resolve really goes to Trove. The plugins come from Debian's libmaven-*-plugin-java and
// libsurefire-java packages (scripts/install-test-deps.sh); the projects have no tests, so
// surefire needs no provider.

export const MVN = '/usr/bin/mvn';
export const JAVA = '/usr/bin/java';
/** The server id the projects' repositories use and settings.xml gives credentials for. */
export const SERVER_ID = 'trove';
/** Debian's maven-deploy-plugin, for `deploy:deploy-file` without a project. */
export const DEPLOY_FILE = 'org.apache.maven.plugins:maven-deploy-plugin:3.0.0:deploy-file';

/**
 * How Maven authenticates to Trove: `<username>/<password>` (Basic, sent after a 401 challenge on
 * reads, User-Agent Apache-Maven/...) or `<httpHeaders>` (sent on every request; Maven 3.8.7 then
 * says User-Agent Apache-HttpClient/...).
 */
export type MavenCredential =
  | { basic: { username: string; token: string } }
  | { header: 'Deploy-Token' | 'Job-Token' | 'Private-Token'; token: string };

export interface Coordinates {
  groupId: string;
  artifactId: string;
  version: string;
}

/** The repository path of a version's folder: com/example/greeter/1.0. */
export function versionPath(c: Coordinates): string {
  return `${c.groupId.replaceAll('.', '/')}/${c.artifactId}/${c.version}`;
}

function xmlEscape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function serverXml(credential: MavenCredential | null): string {
  if (!credential) return '';
  if ('basic' in credential) {
    const { username, token } = credential.basic;
    return `<server><id>${SERVER_ID}</id><username>${xmlEscape(username)}</username><password>${xmlEscape(token)}</password></server>`;
  }
  return `<server><id>${SERVER_ID}</id><configuration><httpHeaders>
      <property><name>${credential.header}</name><value>${xmlEscape(credential.token)}</value></property>
    </httpHeaders></configuration></server>`;
}

/** The environment Maven runs in: a fresh HOME and nothing inherited that configures Maven or the JVM. */
function mavenEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const upper = name.toUpperCase();
    if (upper.startsWith('MAVEN') || upper === 'M2_HOME' || upper === 'JAVA_TOOL_OPTIONS' || upper === '_JAVA_OPTIONS' || upper === 'JDK_JAVA_OPTIONS') continue;
    env[name] = value;
  }
  return { ...env, HOME: home };
}

export interface MavenResult extends ClientResult {
  /** The run's own local repository (cold when the run started). */
  localRepo: string;
}

/** A Maven user: a fresh HOME with a settings.xml holding (or not) credentials for the server "trove". */
export class Maven {
  private constructor(
    readonly home: string,
    readonly settings: string,
  ) {}

  static create(credential: MavenCredential | null = null): Maven {
    const home = tempDir('trove-mvn-home-');
    mkdirSync(join(home, '.m2'));
    const settings = join(home, '.m2', 'settings.xml');
    writeFileSync(
      settings,
      `<settings>
  <mirrors>
    <mirror><id>debian</id><mirrorOf>*,!${SERVER_ID}</mirrorOf><url>file:///usr/share/maven-repo</url></mirror>
  </mirrors>
  <servers>
    ${serverXml(credential)}
  </servers>
</settings>
`,
    );
    return new Maven(home, settings);
  }

  /** `mvn -B -q <args>` in `cwd` with a cold local repository, or the one given (the benchmark's deploys share one). */
  async run(args: string[], cwd: string, localRepo = tempDir('trove-mvn-repo-')): Promise<MavenResult> {
    const result = await run(MVN, ['-B', '-q', '-Dstyle.color=never', '-s', this.settings, `-Dmaven.repo.local=${localRepo}`, ...args], {
      cwd,
      env: mavenEnv(this.home),
    });
    return { ...result, localRepo };
  }

  /** `mvn deploy:deploy-file` of one jar to a repository URL (no project needed). */
  deployFile(jar: string, c: Coordinates, url: string): Promise<MavenResult> {
    const args = [`-Dfile=${jar}`, `-DgroupId=${c.groupId}`, `-DartifactId=${c.artifactId}`, `-Dversion=${c.version}`, '-Dpackaging=jar'];
    return this.run([DEPLOY_FILE, `-Durl=${url}`, `-DrepositoryId=${SERVER_ID}`, ...args], this.home);
  }
}

export interface JarProject extends Coordinates {
  dir: string;
  /** The jar `mvn package|deploy` builds. */
  jar: string;
}

/** The Java package and class the jar project's greeting lives in. */
const GREETER_PACKAGE = 'com.example.greeter';

function pom(c: Coordinates, body: string): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${c.groupId}</groupId>
  <artifactId>${c.artifactId}</artifactId>
  <version>${c.version}</version>
  <packaging>jar</packaging>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
${body}
</project>
`;
}

/**
 * A one-class jar project whose `<distributionManagement>` points at `deployUrl` (a Trove project's
 * Maven endpoint); `Greeter.greet()` returns `greeting`.
 */
export function writeJarProject(c: Coordinates, deployUrl: string, greeting: string): JarProject {
  const dir = tempDir('trove-mvn-jar-');
  writeFileSync(
    join(dir, 'pom.xml'),
    pom(c, `  <distributionManagement>
    <repository><id>${SERVER_ID}</id><url>${xmlEscape(deployUrl)}</url></repository>
    <snapshotRepository><id>${SERVER_ID}</id><url>${xmlEscape(deployUrl)}</url></snapshotRepository>
  </distributionManagement>`),
  );
  const project = { ...c, dir, jar: join(dir, 'target', `${c.artifactId}-${c.version}.jar`) };
  setGreeting(project, greeting);
  return project;
}

/** Rewrites greet() to return another greeting (the next `mvn deploy` builds other bytes). */
export function setGreeting(project: JarProject, greeting: string): void {
  const source = join(project.dir, 'src', 'main', 'java', ...GREETER_PACKAGE.split('.'));
  mkdirSync(source, { recursive: true });
  writeFileSync(
    join(source, 'Greeter.java'),
    `package ${GREETER_PACKAGE};\n\npublic class Greeter {\n  public static String greet() {\n    return ${JSON.stringify(greeting)};\n  }\n}\n`,
  );
}

export interface ConsumerProject {
  dir: string;
  dependency: Coordinates;
  /** The jar `mvn package` builds (class Main). */
  jar: string;
}

/** A project that depends on `dependency`, resolved from `repositoryUrl` (a group or instance endpoint); its Main prints greet(). */
export function writeConsumerProject(dependency: Coordinates, repositoryUrl: string): ConsumerProject {
  const dir = tempDir('trove-mvn-consumer-');
  const own = { groupId: 'org.example.consumer', artifactId: 'consumer', version: '1.0' };
  writeFileSync(
    join(dir, 'pom.xml'),
    pom(own, `  <repositories>
    <repository>
      <id>${SERVER_ID}</id><url>${xmlEscape(repositoryUrl)}</url>
      <releases><enabled>true</enabled></releases>
      <snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots>
    </repository>
  </repositories>
  <dependencies>
    <dependency><groupId>${dependency.groupId}</groupId><artifactId>${dependency.artifactId}</artifactId><version>${dependency.version}</version></dependency>
  </dependencies>`),
  );
  mkdirSync(join(dir, 'src', 'main', 'java'), { recursive: true });
  writeFileSync(
    join(dir, 'src', 'main', 'java', 'Main.java'),
    `public class Main {\n  public static void main(String[] args) {\n    System.out.println(${GREETER_PACKAGE}.Greeter.greet());\n  }\n}\n`,
  );
  return { dir, dependency, jar: join(dir, 'target', 'consumer-1.0.jar') };
}

/** The dependency's jar in a local repository a consumer build filled. */
export function resolvedJar(localRepo: string, c: Coordinates): string {
  const dir = join(localRepo, ...versionPath(c).split('/'));
  const jars = readdirSync(dir).filter((f) => f.endsWith('.jar'));
  const exact = `${c.artifactId}-${c.version}.jar`;
  return join(dir, jars.includes(exact) ? exact : jars.sort().at(-1)!);
}

/** Builds the consumer with `mvn package` (cold local repository) and runs its Main against the resolved dependency. */
export async function buildAndRunConsumer(maven: Maven, consumer: ConsumerProject): Promise<{ build: MavenResult; output: ClientResult }> {
  const build = await maven.run(['package'], consumer.dir);
  if (build.code !== 0) return { build, output: { code: -1, stdout: '', stderr: 'not run: the build failed' } };
  const classpath = `${consumer.jar}:${resolvedJar(build.localRepo, consumer.dependency)}`;
  const output = await run(JAVA, ['-cp', classpath, 'Main'], { cwd: consumer.dir, env: mavenEnv(maven.home) });
  return { build, output };
}
