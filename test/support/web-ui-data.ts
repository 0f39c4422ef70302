import { execFileSync } from 'node:child_process';
import { publishOk } from './audit-e2e.js';
import { makePackage, NpmClient } from './npm-client.js';
import type { RunningTrove } from './trove-process.js';
import { World, type TestUser } from './world.js';

// The data the browser test looks at, made as a newcomer would: a group owner with a password,
// a project, a deploy token "release-bot", a CI job token, and real `npm publish` / `npm dist-tag` runs.

export const OWNER_PASSWORD = 'correct-horse-battery';

export interface WebUiData {
  world: World;
  owner: TestUser;
  group: { id: number; full_path: string };
  project: { id: number; path_with_namespace: string };
  npmVersion: string;
  /** olivia's personal access token "olivia-laptop" (api scope). */
  ownerToken: string;
}

async function npmOk(client: NpmClient, args: string[], cwd?: string): Promise<void> {
  const result = await client.npm(args, cwd);
  if (result.code !== 0) throw new Error(`npm ${args.join(' ')} failed: ${result.stderr}`);
}

export async function buildWebUiData(trove: RunningTrove): Promise<WebUiData> {
  const world = new World(trove);
  const owner = await world.user('olivia'); // World gives every user the password OWNER_PASSWORD
  const group = await world.group('acme');
  await world.addMember('groups', group.id, owner, 50);
  const project = await world.project('web-app', group.id);
  const deploy = await world.deployToken('projects', project.id, 'release-bot', ['read_package_registry', 'write_package_registry']);
  const registry = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/npm/`;
  const bot = new NpmClient(registry, deploy.token);
  await npmOk(bot, ['publish'], makePackage('@acme/ui-kit', '1.4.0'));
  const laptop = await world.token(owner, 'olivia-laptop', ['api']);
  const ownerClient = new NpmClient(registry, laptop.token);
  await npmOk(ownerClient, ['publish'], makePackage('@acme/ui-kit', '1.5.0'));
  await npmOk(ownerClient, ['dist-tag', 'add', '@acme/ui-kit@1.4.0', 'stable']);
  // A CI job publishes another package: its page must show the pipeline.
  const job = await world.jobToken(project.id, { pipeline_id: 881, job_id: 4242, ref: 'main', sha: '3f2a1c9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39', pipeline_url: 'https://ci.example.com/acme/web-app/-/pipelines/881' });
  await npmOk(new NpmClient(registry, job.token), ['publish'], makePackage('@acme/build-tools', '0.1.0'));
  return { world, owner, group, project, ownerToken: laptop.token, npmVersion: execFileSync('npm', ['--version'], { env: bot.env() }).toString().trim() };
}

export interface MoreWebUiData extends WebUiData {
  tools: { id: number; path_with_namespace: string };
}

/** The versions of @acme/icons: more than the 50 the package page and the audit log show at once. */
export const ICON_VERSIONS = Array.from({ length: 55 }, (_, i) => `1.0.${i}`);

/**
 * buildWebUiData, plus a subgroup acme/platform whose project tools gets a real `npm publish` (its
 * event is stored on the subgroup), and @acme/icons in 55 versions with a dist-tag on the oldest.
 * Those are sent as `npm publish` sends them but without the CLI, which would take a minute.
 */
export async function buildMoreWebUiData(trove: RunningTrove): Promise<MoreWebUiData> {
  const data = await buildWebUiData(trove);
  const platform = await data.world.group('platform', data.group.id);
  const tools = await data.world.project('tools', platform.id);
  const toolsRegistry = `${trove.baseUrl}/api/v4/projects/${tools.id}/packages/npm/`;
  await npmOk(new NpmClient(toolsRegistry, data.ownerToken), ['publish'], makePackage('@acme/cli', '2.0.0'));
  for (const version of ICON_VERSIONS) await publishOk(data.owner.api, data.project.id, '@acme/icons', version);
  await data.owner.api.expect(200, 'PUT', `/api/v4/projects/${data.project.id}/packages/npm/-/package/@acme%2ficons/dist-tags/legacy`, '"1.0.0"');
  return { ...data, tools };
}
