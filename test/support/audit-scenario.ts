import assert from 'node:assert/strict';
import { Api, privateToken } from './api.js';
import { publishOk, publishRaw, sleep } from './audit-e2e.js';
import type { TestUser, World } from './world.js';

// The audit log the audit API and export tests read: acme (owner olga, developer dev) with a
// subgroup platform, another group, and publishes through a PAT, a group deploy token (pnpm) and a
// CI job token, a refused duplicate, a subgroup publish and another group's publish, on both
// sides of a `mark` time. Built in two steps so that a test can add its own members in between.

export const PNPM_UA = 'pnpm/9.15.4 npm/? node/v20.19.5 linux x64';

export interface AuditScenario {
  acme: { id: number; full_path: string };
  platform: { id: number; full_path: string };
  other: { id: number; full_path: string };
  webApp: { id: number };
  tools: { id: number };
  svc: { id: number };
  owner: TestUser;
  dev: TestUser;
  devTokenId: number;
}

/** Groups, projects and acme's owner and developer; nothing published yet. */
export async function buildAuditScenario(world: World): Promise<AuditScenario> {
  const acme = await world.group('acme');
  const platform = await world.group('platform', acme.id);
  const other = await world.group('other');
  const webApp = await world.project('web-app', acme.id);
  const tools = await world.project('tools', platform.id);
  const svc = await world.project('svc', other.id);
  const owner = await world.user('olga');
  const dev = await world.user('dev');
  await world.addMember('groups', acme.id, owner, 50);
  await world.addMember('groups', acme.id, dev, 30);
  const devTokenId = (await dev.api.expect(200, 'GET', '/api/v4/personal_access_tokens'))[0].id;
  return { acme, platform, other, webApp, tools, svc, owner, dev, devTokenId };
}

/**
 * Before the returned mark: a PAT publish through npm, a group deploy token, a deploy-token
 * publish through pnpm. After it: a CI job publishes, a refused duplicate, a subgroup publish,
 * another group's publish.
 */
export async function publishAroundMark(world: World, s: AuditScenario): Promise<{ groupBot: { id: number; token: string }; mark: string }> {
  const baseUrl = world.trove.baseUrl;
  await publishOk(s.dev.api, s.webApp.id, '@acme/a', '1.0.0');
  const groupBot = await world.deployToken('groups', s.acme.id, 'group-bot', ['write_package_registry']);
  await publishOk(new Api(baseUrl, privateToken(groupBot.token)), s.webApp.id, '@acme/b', '1.0.0', PNPM_UA);
  await sleep(30);
  const mark = new Date().toISOString();
  await sleep(30);
  const job = await world.jobToken(s.webApp.id, { pipeline_id: 7, job_id: 70, ref: 'main', sha: 'abcdef1234567', user_id: s.dev.id });
  await publishOk(new Api(baseUrl, privateToken(job.token)), s.webApp.id, '@acme/c', '1.0.0');
  const duplicate = await publishRaw(s.dev.api, s.webApp.id, '@acme/a', '1.0.0');
  assert.equal(duplicate.status, 403, duplicate.text);
  await publishOk(s.dev.api, s.tools.id, '@acme/d', '2.0.0');
  await publishOk(world.root, s.svc.id, 'other-pkg', '1.0.0');
  return { groupBot, mark };
}
