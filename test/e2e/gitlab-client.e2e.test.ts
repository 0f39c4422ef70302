import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pythonGitlab } from '../support/python-gitlab.js';
import { REPO_ROOT, startTrove, type RunningTrove } from '../support/trove-process.js';

// GitLab's most used API client, python-gitlab (Debian's python3-gitlab 3.12), drives every
// resource Trove implements, unchanged: it insists on `Content-Type: application/json` exactly,
// sends DELETE with that header and no body, pages by the X-* and Link headers, and asks
// /version. Each case is one Python process that does an area's work through python-gitlab's own
// managers (or, where 3.12 has none, its gl.http_* calls, which make the same checks) and hands
// back what python-gitlab returned; the assertions are here.

const TROVE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('python-gitlab against Trove', () => {
  let trove: RunningTrove;
  const gitlab = <T = any>(script: string, input: Record<string, unknown> = {}, token: string | null = trove.rootToken) => pythonGitlab<T>(trove.baseUrl, token, script, input);

  before(async () => {
    trove = await startTrove({ env: { TROVE_STREAMING_ALLOW_PRIVATE: '1' } });
  });

  after(async () => {
    await trove?.stop();
  });

  it('signs in, reads the version, and creates, reads and lists users, groups, subgroups and projects; anonymous sees the public ones', async () => {
    const out = await gitlab(`
      gl.auth()
      out['current_user'] = attrs(gl.user)
      out['version'] = gl.version()
      out['metadata'] = gl.http_get('/metadata')

      alice = gl.users.create({'username': 'alice', 'email': 'alice@example.com', 'name': 'Alice Doe', 'password': 'correct-horse-battery'})
      out['alice'] = attrs(alice)
      out['alice_get'] = attrs(gl.users.get(alice.id))
      out['users_by_name'] = [u.username for u in gl.users.list(username='alice')]
      out['users'] = sorted(u.username for u in gl.users.list(get_all=True))

      acme = gl.groups.create({'name': 'Acme', 'path': 'acme', 'visibility': 'public', 'description': 'the acme group'})
      out['acme'] = attrs(acme)
      sub = gl.groups.create({'name': 'Tools', 'path': 'tools', 'parent_id': acme.id, 'visibility': 'public'})
      out['sub'] = attrs(sub)
      secret = gl.groups.create({'name': 'Secret', 'path': 'secret', 'visibility': 'private'})
      out['acme_get'] = attrs(gl.groups.get('acme'))
      out['subgroups'] = [g.full_path for g in acme.subgroups.list()]
      out['groups'] = [g.full_path for g in gl.groups.list(get_all=True)]

      web = gl.projects.create({'name': 'Web App', 'path': 'web-app', 'namespace_id': acme.id, 'visibility': 'public', 'description': 'the shop'})
      out['web'] = attrs(web)
      hidden = gl.projects.create({'name': 'Vault', 'path': 'vault', 'namespace_id': secret.id, 'visibility': 'private'})
      out['web_by_path'] = attrs(gl.projects.get('acme/web-app'))
      out['projects'] = sorted(p.path_with_namespace for p in gl.projects.list(get_all=True))
      out['group_projects'] = [p.path_with_namespace for p in acme.projects.list()]

      out['anonymous_projects'] = [p.path_with_namespace for p in anonymous.projects.list(get_all=True)]
      out['anonymous_groups'] = [g.full_path for g in anonymous.groups.list(get_all=True)]
      out['anonymous_project'] = anonymous.projects.get(web.id).path_with_namespace
      out['anonymous_private_project'] = http_error(lambda: anonymous.projects.get(hidden.id))
      out['anonymous_private_group'] = http_error(lambda: anonymous.groups.get(secret.id))
      out['anonymous_version'] = http_error(lambda: anonymous.http_get('/version'))
      out['anonymous_user'] = http_error(lambda: anonymous.auth())
    `);
    assert.equal(out.current_user.username, 'root');
    assert.equal(out.current_user.is_admin, true);
    assert.deepEqual(out.version, [TROVE_VERSION, 'unknown']);
    assert.equal(out.metadata.version, out.version[0]);
    assert.equal(out.metadata.enterprise, false);
    assert.equal(out.metadata.kas.enabled, false);

    assert.equal(out.alice.username, 'alice');
    assert.equal(out.alice.name, 'Alice Doe');
    assert.equal(out.alice_get.id, out.alice.id);
    assert.equal(out.alice_get.email, 'alice@example.com');
    assert.deepEqual(out.users_by_name, ['alice']);
    assert.deepEqual(out.users, ['alice', 'root']);

    assert.equal(out.acme.full_path, 'acme');
    assert.equal(out.acme.visibility, 'public');
    assert.equal(out.acme.description, 'the acme group');
    assert.equal(out.sub.full_path, 'acme/tools');
    assert.equal(out.sub.parent_id, out.acme.id);
    assert.equal(out.acme_get.id, out.acme.id);
    assert.deepEqual(out.subgroups, ['acme/tools']);
    assert.deepEqual(out.groups, ['acme', 'acme/tools', 'secret']);

    assert.equal(out.web.path_with_namespace, 'acme/web-app');
    assert.equal(out.web.name, 'Web App');
    assert.equal(out.web.description, 'the shop');
    assert.equal(out.web.namespace.id, out.acme.id);
    assert.equal(out.web_by_path.id, out.web.id);
    assert.deepEqual(out.projects, ['acme/web-app', 'secret/vault']);
    assert.deepEqual(out.group_projects, ['acme/web-app']);

    assert.deepEqual(out.anonymous_projects, ['acme/web-app']);
    assert.deepEqual(out.anonymous_groups, ['acme', 'acme/tools']);
    assert.equal(out.anonymous_project, 'acme/web-app');
    assert.equal(out.anonymous_private_project.status, 404);
    assert.equal(out.anonymous_private_group.status, 404);
    assert.equal(out.anonymous_version.status, 401);
    assert.equal(out.anonymous_user.status, 401);
  });

  it('adds, lists, changes and removes group and project members; creates, lists and revokes personal, deploy and CI job tokens', async () => {
    const out = await gitlab(`
      bob = gl.users.create({'username': 'bob', 'email': 'bob@example.com', 'name': 'Bob', 'password': 'correct-horse-battery'})
      team = gl.groups.create({'name': 'Team', 'path': 'team'})
      app = gl.projects.create({'name': 'App', 'path': 'app', 'namespace_id': team.id})

      for kind, source in (('group', team), ('project', app)):
          created = source.members.create({'user_id': bob.id, 'access_level': 30})
          out[kind + '_created'] = attrs(created)
          member = source.members.get(bob.id)
          out[kind + '_get'] = attrs(member)
          member.access_level = 40
          member.save()
          out[kind + '_listed'] = [(m.username, m.access_level) for m in source.members.list(get_all=True)]
          member.delete()
          out[kind + '_after_delete'] = [m.username for m in source.members.list(get_all=True)]
          out[kind + '_gone'] = http_error(lambda: source.members.get(bob.id))

      pat = gl.users.get(bob.id, lazy=True).personal_access_tokens.create({'name': 'bob-ci', 'scopes': ['read_api'], 'expires_at': '2099-01-31'})
      out['pat'] = attrs(pat)
      bob_gl = gitlab.Gitlab(data['url'], private_token=pat.token)
      bob_gl.auth()
      out['pat_user'] = bob_gl.user.username
      out['pats'] = [(t.name, t.active) for t in gl.personal_access_tokens.list(user_id=bob.id)]
      gl.personal_access_tokens.delete(pat.id)
      out['pats_after_revoke'] = [(t.name, t.active, t.revoked) for t in gl.personal_access_tokens.list(user_id=bob.id)]
      out['revoked_pat_refused'] = http_error(lambda: bob_gl.auth())

      for kind, source in (('group', team), ('project', app)):
          token = source.deploytokens.create({'name': kind + '-deployer', 'scopes': ['read_package_registry', 'write_package_registry'], 'expires_at': '2099-01-31'})
          out[kind + '_deploy_token'] = attrs(token)
          out[kind + '_deploy_token_get'] = attrs(source.deploytokens.get(token.id))
          out[kind + '_deploy_tokens'] = [t.name for t in source.deploytokens.list()]
          token.delete()
          out[kind + '_deploy_tokens_after_delete'] = [(t.name, t.revoked) for t in source.deploytokens.list()]

      job = gl.http_post('/projects/%d/ci/job_tokens' % app.id, post_data={'pipeline_id': 7, 'job_id': 42, 'ref': 'main', 'sha': 'a' * 40})
      out['job_token'] = job
      job_gl = gitlab.Gitlab(data['url'], job_token=job['token'])
      out['job_token_reads_packages'] = job_gl.http_get('/projects/%d/packages' % app.id)
    `);
    for (const kind of ['group', 'project']) {
      assert.equal(out[`${kind}_created`].username, 'bob');
      assert.equal(out[`${kind}_created`].access_level, 30);
      assert.equal(out[`${kind}_get`].access_level, 30);
      assert.deepEqual(out[`${kind}_listed`].find(([name]: [string]) => name === 'bob'), ['bob', 40], kind);
      assert.deepEqual(out[`${kind}_after_delete`].includes('bob'), false, kind);
      assert.equal(out[`${kind}_gone`].status, 404, kind);
    }

    assert.equal(out.pat.name, 'bob-ci');
    assert.deepEqual(out.pat.scopes, ['read_api']);
    assert.equal(out.pat.expires_at, '2099-01-31');
    assert.match(out.pat.token, /^glpat-/);
    assert.equal(out.pat_user, 'bob');
    assert.deepEqual(out.pats, [['bob-ci', true]]);
    assert.deepEqual(out.pats_after_revoke, [['bob-ci', false, true]]);
    assert.equal(out.revoked_pat_refused.status, 401);

    for (const kind of ['group', 'project']) {
      const token = out[`${kind}_deploy_token`];
      assert.equal(token.name, `${kind}-deployer`);
      assert.deepEqual(token.scopes, ['read_package_registry', 'write_package_registry']);
      assert.equal(typeof token.token, 'string');
      assert.equal(out[`${kind}_deploy_token_get`].id, token.id);
      assert.equal(out[`${kind}_deploy_token_get`].token, undefined, 'the secret is shown once');
      assert.deepEqual(out[`${kind}_deploy_tokens`], [`${kind}-deployer`]);
      assert.deepEqual(out[`${kind}_deploy_tokens_after_delete`], [[`${kind}-deployer`, true]]);
    }

    assert.equal(typeof out.job_token.token, 'string');
    assert.ok(Date.parse(out.job_token.expires_at) > Date.now());
    assert.deepEqual(out.job_token_reads_packages, []);
  });
});
