import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Api, privateToken } from '../../test/support/api.js';
import { eventCount } from '../../test/support/audit.js';
import { Maven, SERVER_ID, type MavenCredential } from '../../test/support/maven.js';
import { removeTempDir, tempDir, withTempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { abFigure, atLeast, atMost, median, type Figure, type Rounds } from '../figures.js';
import { consumerPom, treeFiles, treeJarPaths, uploadToRepository, writeReactor, writeRepositoryFolder } from '../maven-artifacts.js';
import { startNginx, type StaticServer } from '../nginx.js';
import { settingsSide, startTroveServer, type TroveBenchServer } from '../servers.js';

// Maven against Trove. `mvn` resolving a dependency tree with a cold local repository, Trove's
// group endpoint against the same files as static files on nginx (the floor no repository server
// can beat), and `mvn deploy` of a reactor with package audit events on and off. Every mvn runs
// isolated in a fresh HOME (test/support/maven.ts), its plugins from Debian's /usr/share/maven-repo.

const PUBLISHED = 'package_registry_package_published';
const PACKAGE_SCOPES = ['read_package_registry', 'write_package_registry'];

/** Where one mvn run resolves from or deploys to, and how settings.xml authenticates there (not at all for nginx). */
interface MavenSource {
  repository: string;
  credential: MavenCredential | null;
}

/** `mvn <args>` in `cwd` as a fresh Maven user of `source`: its wall time; HOME removed after. */
async function timedMvn(source: MavenSource, args: string[], cwd: string, localRepo?: string): Promise<{ seconds: number; localRepo: string }> {
  const maven = Maven.create(source.credential);
  try {
    const started = process.hrtime.bigint();
    const result = await maven.run(args, cwd, localRepo);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.code !== 0) throw new Error(`mvn ${args.join(' ')} against ${source.repository} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
    return { seconds, localRepo: result.localRepo };
  } finally {
    removeTempDir(maven.home);
  }
}

/** The consumer of `size` tree artifacts (0: one that depends on nothing) resolved by `mvn dependency:resolve` with a cold local repository. */
const resolveSeconds = (source: MavenSource, size: number) =>
  withTempDir('trove-bench-mvn-consumer-', async (project) => {
    writeFileSync(join(project, 'pom.xml'), consumerPom(size, SERVER_ID, source.repository));
    const { seconds, localRepo } = await timedMvn(source, ['dependency:resolve'], project);
    const resolved = treeJarPaths(size).filter((path) => existsSync(join(localRepo, path))).length;
    removeTempDir(localRepo);
    if (resolved !== size) throw new Error(`mvn dependency:resolve from ${source.repository}: ${resolved} of ${size} jars in the local repository`);
    return seconds;
  });

/** The tree in Trove (PUT by a deploy token to the bench project) and in a folder served by nginx. */
async function seedTree(trove: TroveBenchServer, size: number): Promise<{ trove: MavenSource; nginx: StaticServer }> {
  const files = treeFiles(size);
  const token = await trove.world.deployToken('groups', trove.groupId, 'bench-maven', PACKAGE_SCOPES);
  await uploadToRepository(`${trove.base}/api/v4/projects/${trove.projectId}/packages/maven/`, { 'deploy-token': token.token }, files);
  const folder = tempDir('trove-bench-maven-repo-');
  writeRepositoryFolder(folder, files);
  const nginx = await startNginx(folder);
  return { trove: { repository: `${trove.base}/api/v4/groups/${trove.groupId}/-/packages/maven/`, credential: { header: 'Deploy-Token', token: token.token } }, nginx };
}

async function resolveTree(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const size = config.mavenTreeSize;
  const sources = await seedTree(trove, size);
  try {
    const nginx: MavenSource = { repository: `${sources.nginx.base}/`, credential: null };
    // mvn's own floor: the same run with nothing to resolve (JVM start, the plugin copied from
    // local files), measured after the first nginx runs so that it shares the rounds' load.
    const floors: number[] = [];
    const nginxThenFloor = async () => {
      const seconds = await resolveSeconds(nginx, size);
      if (floors.length < config.rounds) floors.push(await resolveSeconds(nginx, 0));
      return seconds;
    };
    const result = await abFigure(
      `mvn dependency:resolve ${size}-artifact tree, cold local repository: Trove group endpoint / nginx static files`,
      's',
      { rounds: config.mavenResolveRounds, warmupRounds: config.warmupRounds },
      () => resolveSeconds(sources.trove, size),
      nginxThenFloor,
      atMost(1.1),
    );
    const floor = median(floors);
    const above = (seconds: number) => (seconds - floor).toFixed(2);
    return { ...result, note: `mvn alone (resolving nothing) ${floor.toFixed(2)} s; above it Trove ${above(result.trove)} s, nginx ${above(result.peer!)} s` };
  } finally {
    await sources.nginx.stop();
  }
}

/** A project in a new group of `trove` with the given package settings, and a deploy token of the group. */
async function mavenGroup(trove: TroveBenchServer, path: string, settings: Record<string, string>): Promise<{ groupId: number; source: MavenSource }> {
  const side = await settingsSide(trove.world, path, 'maven', settings);
  return { groupId: side.groupId, source: { repository: `${trove.base}/api/v4/projects/${side.projectId}/packages/maven/`, credential: { header: 'Deploy-Token', token: side.token } } };
}

/**
 * One `mvn deploy` of a reactor of `mavenDeployModules` modules and their parent (packaging pom,
 * so that mvn spends its time deploying, not packaging): artifacts deployed per second. Each run
 * deploys a new version; the local repository is shared, so that mvn copies its plugins once
 * (in the warm-up round), not in a measured one.
 */
function deployRate(config: BenchConfig, source: MavenSource, localRepository: string): () => Promise<number> {
  let run = 0;
  return () =>
    withTempDir('trove-bench-mvn-reactor-', async (project) => {
      writeReactor(project, config.mavenDeployModules, `1.${run++}`, SERVER_ID, source.repository);
      const { seconds } = await timedMvn(source, ['deploy'], project, localRepository);
      return (config.mavenDeployModules + 1) / seconds;
    });
}

async function deployAuditOnOff(config: BenchConfig, trove: TroveBenchServer): Promise<Figure> {
  const on = await mavenGroup(trove, 'maven-audit-on', { package_audit_events: 'enabled' });
  const off = await mavenGroup(trove, 'maven-audit-off', { package_audit_events: 'disabled' });
  const localRepository = tempDir('trove-bench-m2-');
  const plan: Rounds = { rounds: config.rounds, warmupRounds: Math.max(1, config.warmupRounds) };
  const result = await abFigure(
    `Trove only: mvn deploy of a ${config.mavenDeployModules}-module reactor, audit events on / off`,
    'artifact/s',
    plan,
    deployRate(config, on.source, localRepository),
    deployRate(config, off.source, localRepository),
    atLeast(0.9),
  );
  // The "on" side really recorded an event per artifact, the "off" side none.
  const root = new Api(trove.base, privateToken(trove.trove.rootToken));
  const recorded = await eventCount(root, `/api/v4/groups/${on.groupId}/audit_events`, `&event_name=${PUBLISHED}`);
  const leaked = await eventCount(root, `/api/v4/groups/${off.groupId}/audit_events`, `&event_name=${PUBLISHED}`);
  const expected = (plan.rounds + plan.warmupRounds) * (config.mavenDeployModules + 1);
  if (recorded !== expected || leaked !== 0) throw new Error(`mvn deploy: ${recorded} of ${expected} publish events recorded with audit events on, ${leaked} with them off`);
  return { ...result, note: `${recorded} publish events recorded` };
}

export async function mavenFigures(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const trove = await startTroveServer();
  try {
    log(`mvn resolving a ${config.mavenTreeSize}-artifact tree: Trove vs nginx`);
    const resolve = await resolveTree(config, trove);
    log(`mvn deploy of ${config.mavenDeployModules} modules with audit events on vs off`);
    const deploy = await deployAuditOnOff(config, trove);
    return [resolve, deploy];
  } finally {
    await trove.stop();
  }
}
