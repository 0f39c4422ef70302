import { startTrove, type RunningTrove } from '../test/support/trove-process.js';
import { World } from '../test/support/world.js';

// The two servers under test, seen the same way by every scenario: an npm registry URL and a
// bearer token that may read and publish there, plus the pid whose memory we measure.

export interface BenchServer {
  name: 'trove' | 'verdaccio';
  base: string;
  /** The npm registry root, ending in '/': package documents are `${registry}${name}`. */
  registry: string;
  token: string;
  pid: number;
  stop(): Promise<void>;
}

export interface TroveBenchServer extends BenchServer {
  trove: RunningTrove;
  world: World;
  groupId: number;
  projectId: number;
}

/**
 * Trove on the embedded default (SQLite in a fresh temp data folder, whatever backend the
 * calling environment names), with a private group and project and a maintainer's token,
 * so that every read is authorised as on Verdaccio.
 */
export async function startTroveServer(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<TroveBenchServer> {
  return benchServerOn(await startTrove({ env: { TROVE_DATABASE_URL: '', TROVE_LOG_LEVEL: 'warn', ...env }, nodeArgs }));
}

/** The bench group, project and publisher on a running Trove (the first of several on one database). */
export async function benchServerOn(trove: RunningTrove): Promise<TroveBenchServer> {
  const world = new World(trove);
  const group = await world.group('bench');
  const project = await world.project('registry', group.id);
  const user = await world.user('bench-publisher');
  await world.addMember('groups', group.id, user, 40);
  return {
    name: 'trove',
    base: trove.baseUrl,
    registry: `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`,
    token: user.token,
    pid: trove.process.pid!,
    trove,
    world,
    groupId: group.id,
    projectId: project.id,
    stop: async () => void (await trove.stop()),
  };
}

export const authHeader = (server: BenchServer) => ({ authorization: `Bearer ${server.token}` });

/** The side of an A/B row that compares package settings: a project in a new group with these settings, and a read/write deploy token of the group. */
export interface SettingsSide {
  groupId: number;
  projectId: number;
  /** A deploy token of the group with read_package_registry and write_package_registry. */
  token: string;
}

/** A new group `path` of `world` with these package settings (`package_audit_events`, ...), a project `projectPath` in it and a deploy token of the group. */
export async function settingsSide(world: World, path: string, projectPath: string, settings: Record<string, string>): Promise<SettingsSide> {
  const group = await world.group(path);
  const project = await world.project(projectPath, group.id);
  await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, settings);
  const token = await world.deployToken('groups', group.id, `${path}-deploy`, ['read_package_registry', 'write_package_registry']);
  return { groupId: group.id, projectId: project.id, token: token.token };
}
