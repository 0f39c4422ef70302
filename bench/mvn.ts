import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.js';

// Debian's `mvn`, isolated: a fresh HOME and settings.xml per run, no network. Every repository
// but the one under test (id REPOSITORY_ID) is mirrored to Debian's plugin repository
// /usr/share/maven-repo, so the plugins come from local files.

export const REPOSITORY_ID = 'bench';

/** settings.xml in `home`: the Debian mirror and, when given, the header that authenticates to REPOSITORY_ID. */
export function writeSettings(home: string, header?: { name: string; value: string }): string {
  const server = header
    ? `  <servers><server><id>${REPOSITORY_ID}</id><configuration><httpHeaders>
    <property><name>${header.name}</name><value>${header.value}</value></property>
  </httpHeaders></configuration></server></servers>\n`
    : '';
  const file = join(home, 'settings.xml');
  writeFileSync(
    file,
    `<settings>
  <mirrors><mirror><id>debian</id><mirrorOf>*,!${REPOSITORY_ID}</mirrorOf><url>file:///usr/share/maven-repo</url></mirror></mirrors>
${server}</settings>
`,
  );
  return file;
}

/** The environment of an isolated mvn: HOME is `home`, and none of the caller's settings of Maven or the JVM. */
function mvnEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(MAVEN|M2_HOME$|JAVA_TOOL_OPTIONS$|_JAVA_OPTIONS$|JDK_JAVA_OPTIONS$)/i.test(key)) env[key] = value;
  return { ...env, HOME: home };
}

/** Runs `mvn -B -q` with the settings and local repository given; resolves with the wall time in seconds. */
export async function timedMvn(options: { home: string; settings: string; localRepository: string; cwd: string; args: string[] }): Promise<number> {
  const args = ['-B', '-q', '-Dstyle.color=never', '-s', options.settings, `-Dmaven.repo.local=${options.localRepository}`, ...options.args];
  const started = process.hrtime.bigint();
  await run('mvn', args, { cwd: options.cwd, env: mvnEnv(options.home) });
  return Number(process.hrtime.bigint() - started) / 1e9;
}
