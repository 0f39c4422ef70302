import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { privateToken } from '../support/api.js';
import { latestEvent } from '../support/audit.js';
import { pythonGitlab } from '../support/python-gitlab.js';
import { REPO_ROOT, startTrove, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

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

  it('uploads and downloads generic packages, lists, reads and deletes packages and package files, and keeps registry settings and cleanup policies', async () => {
    const out = await gitlab(`
      import tempfile
      store = gl.groups.create({'name': 'Store', 'path': 'store'})
      tools = gl.projects.create({'name': 'Tools', 'path': 'tools', 'namespace_id': store.id})
      files = {}
      for version, name, content in (('1.0.0', 'tool.bin', b'one'), ('1.0.0', 'tool.sha256', b'sum'), ('2.0.0', 'tool.bin', b'two')):
          path = tempfile.mktemp()
          with open(path, 'wb') as f:
              f.write(content)
          out['upload_' + version + '_' + name] = attrs(tools.generic_packages.upload(package_name='tool', package_version=version, file_name=name, path=path))
      out['download'] = tools.generic_packages.download(package_name='tool', package_version='2.0.0', file_name='tool.bin').decode()
      out['download_missing'] = http_error(lambda: tools.generic_packages.download(package_name='tool', package_version='9.9.9', file_name='tool.bin'))

      out['packages'] = [(p.name, p.version, p.package_type) for p in tools.packages.list(get_all=True, order_by='version', sort='asc')]
      first = [p for p in tools.packages.list(get_all=True) if p.version == '1.0.0'][0]
      out['package_get'] = attrs(tools.packages.get(first.id))
      package_files = first.package_files.list(get_all=True)
      out['package_files'] = sorted(f.file_name for f in package_files)
      [checksum] = [f for f in package_files if f.file_name == 'tool.sha256']
      checksum.delete()
      out['package_files_after_delete'] = [f.file_name for f in first.package_files.list(get_all=True)]
      out['group_packages'] = sorted((p.name, p.version) for p in store.packages.list(get_all=True))
      tools.packages.delete(first.id)
      out['packages_after_delete'] = [p.version for p in tools.packages.list(get_all=True)]
      out['deleted_package'] = http_error(lambda: tools.packages.get(first.id))

      settings_path = '/groups/%d/packages/settings' % store.id
      out['settings'] = gl.http_get(settings_path)
      out['settings_changed'] = gl.http_put(settings_path, post_data={'package_download_events': 'disabled'})
      out['settings_read_back'] = gl.http_get(settings_path)
      out['user_namespace_settings'] = gl.http_put('/namespaces/root/packages/settings', post_data={'package_audit_events': 'enabled'})

      policy_path = '/projects/%d/packages/cleanup_policy' % tools.id
      out['policy'] = gl.http_get(policy_path)
      out['policy_changed'] = gl.http_put(policy_path, post_data={'enabled': True, 'cadence': '7d', 'keep_n_versions': 1})
      out['policy_read_back'] = gl.http_get(policy_path)
      out['policy_dry_run'] = gl.http_post(policy_path + '/run', query_data={'dry_run': 'true'})
    `);
    for (const key of ['upload_1.0.0_tool.bin', 'upload_1.0.0_tool.sha256', 'upload_2.0.0_tool.bin']) assert.equal(out[key].message, '201 Created', key);
    assert.equal(out.download, 'two');
    assert.equal(out.download_missing.status, 404);

    assert.deepEqual(out.packages, [['tool', '1.0.0', 'generic'], ['tool', '2.0.0', 'generic']]);
    assert.equal(out.package_get.name, 'tool');
    assert.equal(out.package_get.version, '1.0.0');
    assert.equal(out.package_get.published_by.actor.username, 'root');
    assert.deepEqual(out.package_files, ['tool.bin', 'tool.sha256']);
    assert.deepEqual(out.package_files_after_delete, ['tool.bin']);
    assert.deepEqual(out.group_packages, [['tool', '1.0.0'], ['tool', '2.0.0']]);
    assert.deepEqual(out.packages_after_delete, ['2.0.0']);
    assert.equal(out.deleted_package.status, 404);

    assert.equal(out.settings.package_download_events, 'inherit');
    assert.equal(out.settings_changed.package_download_events, 'disabled');
    assert.equal(out.settings_read_back.package_download_events, 'disabled');
    assert.equal(out.user_namespace_settings.package_audit_events, 'enabled');

    assert.equal(out.policy_changed.enabled, true);
    assert.equal(out.policy_changed.cadence, '7d');
    assert.equal(out.policy_changed.keep_n_versions, 1);
    assert.deepEqual(
      [out.policy_read_back.enabled, out.policy_read_back.cadence, out.policy_read_back.keep_n_versions],
      [true, '7d', 1],
    );
    assert.equal(typeof out.policy_dry_run, 'object');
  });

  it('lists a Maven package and its files, deletes it, and the delete is in the audit log', async () => {
    const world = new World(trove);
    const group = await world.group('jvm');
    const project = await world.project('libs', group.id);
    // The files as mvn deploy puts them (pom first, then the jar), on the Maven wire.
    const base = `${trove.baseUrl}/api/v4/projects/${project.id}/packages/maven/org/example/util/2.1`;
    for (const [file, body] of [['util-2.1.pom', '<project><modelVersion>4.0.0</modelVersion></project>'], ['util-2.1.jar', 'PK\u0003\u0004 not really a jar']]) {
      const put = await fetch(`${base}/${file}`, { method: 'PUT', headers: privateToken(trove.rootToken), body });
      assert.ok(put.ok, `PUT ${file}: ${put.status} ${await put.text()}`);
    }
    const out = await gitlab(`
      project = gl.projects.get(data['project'])
      maven = project.packages.list(package_type='maven', get_all=True)
      out['packages'] = [(p.name, p.version, p.package_type) for p in maven]
      out['files'] = sorted(f.file_name for f in maven[0].package_files.list(get_all=True))
      project.packages.delete(maven[0].id)
      out['after_delete'] = [p.name for p in project.packages.list(package_type='maven', get_all=True)]
    `, { project: project.id });
    assert.deepEqual(out.packages, [['org/example/util', '2.1', 'maven']]);
    assert.deepEqual(out.files, ['util-2.1.jar', 'util-2.1.pom']);
    assert.deepEqual(out.after_delete, []);
    const event = await latestEvent(world.root, `/api/v4/groups/${group.id}/audit_events`, 'package_registry_package_deleted');
    assert.deepEqual([event.package.format, event.package.name, event.package.version, event.package.files.length], ['maven', 'org/example/util', '2.1', 2]);
    assert.deepEqual([event.actor.username, event.via, event.client?.name], ['root', 'api', 'python-gitlab']);
  });

  it('lists audit events with filters, reads one, pages through several pages with get_all=True, iterator=True and keyset, and exports them', async () => {
    const out = await gitlab(`
      import tempfile
      audited = gl.groups.create({'name': 'Audited', 'path': 'audited'})
      shop = gl.projects.create({'name': 'Shop', 'path': 'shop', 'namespace_id': audited.id})
      for i in range(6):
          audited.deploytokens.create({'name': 'token-%d' % i, 'scopes': ['read_package_registry']}).delete()
      path = tempfile.mktemp()
      with open(path, 'wb') as f:
          f.write(b'bits')
      for version in ('1.0.0', '1.0.1', '1.0.2'):
          shop.generic_packages.upload(package_name='bits', package_version=version, file_name='bits.bin', path=path)

      out['first_page'] = [attrs(e) for e in audited.audit_events.list(per_page=5, page=1)]
      out['get_all'] = [(e.id, e.event_name) for e in audited.audit_events.list(per_page=5, get_all=True)]
      listing = audited.audit_events.list(per_page=5, iterator=True)
      out['iterator_total'] = listing.total
      out['iterator_total_pages'] = listing.total_pages
      out['iterator'] = [(e.id, e.event_name) for e in listing]
      out['keyset'] = [(e.id, e.event_name) for e in audited.audit_events.list(per_page=5, pagination='keyset', iterator=True)]
      out['created'] = [e.event_name for e in audited.audit_events.list(event_name='deploy_token_created', get_all=True)]
      out['by_author'] = len(audited.audit_events.list(author_username='root', get_all=True))
      out['by_stranger'] = audited.audit_events.list(author_username='nobody', get_all=True)
      newest = out['first_page'][0]
      out['created_after_newest'] = [e.id for e in audited.audit_events.list(created_after=newest['created_at'], get_all=True)]
      out['group_get'] = attrs(audited.audit_events.get(newest['id']))

      published = shop.audit_events.list(event_name='package_registry_package_published', get_all=True)
      out['project_published'] = [attrs(e) for e in published]
      out['project_get'] = attrs(shop.audit_events.get(published[0].id))
      out['instance'] = [(e.id, e.event_name) for e in gl.audit_events.list(per_page=7, iterator=True)]
      out['instance_get'] = attrs(gl.audit_events.get(newest['id']))
      out['instance_filtered'] = [e.event_name for e in gl.audit_events.list(event_name='deploy_token_revoked', get_all=True)]

      csv = gl.http_get('/groups/%d/audit_events/export' % audited.id, query_data={'format': 'csv', 'event_name': 'deploy_token_created'}, raw=True)
      out['csv_type'] = csv.headers['Content-Type']
      out['csv'] = csv.text.splitlines()
      jsonl = gl.http_get('/projects/%d/audit_events/export' % shop.id, query_data={'format': 'jsonl'}, raw=True)
      out['jsonl'] = [json.loads(line) for line in jsonl.text.splitlines()]
    `);
    const group = out.get_all as [number, string][];
    assert.equal(out.first_page.length, 5);
    assert.ok(group.length > 12, `${group.length} group events`);
    assert.equal(new Set(group.map(([id]) => id)).size, group.length, 'no event twice');
    assert.deepEqual(group.map(([id]) => id), [...group.map(([id]) => id)].sort((a, b) => b - a), 'newest first');
    assert.deepEqual(out.first_page.map((e: { id: number }) => e.id), group.slice(0, 5).map(([id]) => id));
    assert.deepEqual(out.iterator, group);
    assert.deepEqual(out.keyset, group);
    assert.equal(out.iterator_total, group.length);
    assert.equal(out.iterator_total_pages, Math.ceil(group.length / 5));
    assert.equal(group.filter(([, name]) => name === 'deploy_token_revoked').length, 6);
    assert.deepEqual(out.created, Array(6).fill('deploy_token_created'));
    assert.equal(out.by_author, group.length);
    assert.deepEqual(out.by_stranger, []);
    assert.ok(out.created_after_newest.length <= 1);
    assert.deepEqual(out.group_get, out.first_page[0]);

    assert.equal(out.project_published.length, 3);
    assert.deepEqual(out.project_published.map((e: any) => e.event_name), Array(3).fill('package_registry_package_published'));
    assert.equal(out.project_get.id, out.project_published[0].id);
    assert.ok(out.instance.length > group.length);
    assert.equal(new Set(out.instance.map(([id]: [number]) => id)).size, out.instance.length);
    assert.deepEqual(out.instance_get, out.group_get);
    assert.ok(out.instance_filtered.length >= 6 && out.instance_filtered.every((name: string) => name === 'deploy_token_revoked'));

    assert.match(out.csv_type, /^text\/csv/);
    assert.match(out.csv[0], /^ID,Author ID,Author Name,Entity ID,Entity Type,Entity Path/);
    assert.equal(out.csv.length, 1 + 6);
    // A project's export is filtered: its first line says so, then one record per event.
    assert.equal(out.jsonl[0].audit_export.filtered, true);
    const exported = out.jsonl.slice(1);
    assert.equal(exported.filter((e: any) => e.event_name === 'package_registry_package_published').length, 3);
    assert.ok(exported.every((e: any) => typeof e.leaf_hash === 'string'));
  });

  it('creates, lists, reads, changes and deletes audit event streaming destinations of a group and of the instance', async () => {
    const out = await gitlab(`
      siem = gl.groups.create({'name': 'Streamed', 'path': 'streamed'})
      for kind, base in (('group', '/groups/%d/audit_events/streaming/destinations' % siem.id), ('instance', '/audit_events/streaming/destinations')):
          created = gl.http_post(base, post_data={'name': kind + '-siem', 'destination_url': 'http://127.0.0.1:9/' + kind, 'event_names': ['deploy_token_created'], 'headers': {'Authorization': 'Splunk secret'}})
          out[kind + '_created'] = created
          one = '%s/%d' % (base, created['id'])
          out[kind + '_get'] = gl.http_get(one)
          out[kind + '_list'] = [d['name'] for d in gl.http_list(base, get_all=True)]
          out[kind + '_changed'] = gl.http_put(one, post_data={'name': kind + '-renamed', 'active': False})
          gl.http_delete(one)
          out[kind + '_after_delete'] = gl.http_list(base, get_all=True)
          out[kind + '_gone'] = http_error(lambda: gl.http_get(one))
    `);
    for (const kind of ['group', 'instance']) {
      const created = out[`${kind}_created`];
      assert.equal(created.name, `${kind}-siem`);
      assert.equal(created.destination_url, `http://127.0.0.1:9/${kind}`);
      assert.deepEqual(created.event_names, ['deploy_token_created']);
      assert.deepEqual(created.headers, { authorization: '[MASKED]' });
      assert.equal(typeof created.secret, 'string', 'the secret is shown on creation');
      assert.equal(out[`${kind}_get`].id, created.id);
      assert.equal(out[`${kind}_get`].secret, undefined, 'and never again');
      assert.deepEqual(out[`${kind}_list`], [`${kind}-siem`]);
      assert.equal(out[`${kind}_changed`].name, `${kind}-renamed`);
      assert.equal(out[`${kind}_changed`].active, false);
      assert.deepEqual(out[`${kind}_after_delete`], []);
      assert.equal(out[`${kind}_gone`].status, 404);
    }
  });
});
