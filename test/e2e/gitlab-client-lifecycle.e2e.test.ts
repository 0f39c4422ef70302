import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pythonGitlab } from '../support/python-gitlab.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';

// python-gitlab (Debian's python3-gitlab 3.12) changes, moves and deletes what Trove holds with its
// own object methods (save, transfer, transfer_project, block, unblock, delete), gives members an
// expiry, and reads back from the audit log who did each of those: the access review an auditor
// runs, through GitLab's own client.

describe('python-gitlab changes, moves and deletes accounts, groups, projects and members', () => {
  let trove: RunningTrove;
  const gitlab = <T = any>(script: string, input: Record<string, unknown> = {}) => pythonGitlab<T>(trove.baseUrl, trove.rootToken, script, input);

  before(async () => {
    trove = await startTrove();
  });

  after(async () => {
    await trove?.stop();
  });

  it('renames, changes the visibility of, transfers and deletes groups and projects, each change in the audit log', async () => {
    const out = await gitlab(`
      acme = gl.groups.create({'name': 'Acme', 'path': 'acme'})
      tools = gl.groups.create({'name': 'Tools', 'path': 'tools'})
      web = gl.projects.create({'name': 'Web', 'path': 'web', 'namespace_id': acme.id})
      backend = gl.projects.create({'name': 'Backend', 'path': 'backend', 'namespace_id': acme.id})

      acme.description = 'the acme group'
      acme.visibility = 'internal'
      acme.save()
      out['acme'] = attrs(gl.groups.get(acme.id))

      web.name = 'Web shop'
      web.path = 'shop'
      web.save()
      out['web'] = attrs(gl.projects.get(web.id))

      web.transfer(tools.id)
      out['web_moved'] = gl.projects.get(web.id).path_with_namespace
      tools.transfer_project(backend.id)
      out['backend_moved'] = gl.projects.get(backend.id).path_with_namespace
      tools.transfer(acme.id)
      out['tools_moved'] = gl.groups.get(tools.id).full_path
      out['web_after_group_move'] = gl.projects.get(web.id).path_with_namespace

      gl.projects.delete(backend.id)
      out['backend_gone'] = http_error(lambda: gl.projects.get(backend.id))
      tools = gl.groups.get(tools.id)
      tools.delete()
      out['tools_gone'] = http_error(lambda: gl.groups.get('acme/tools'))
      out['web_gone'] = http_error(lambda: gl.projects.get(web.id))

      names = lambda events: [e.event_name for e in events]
      out['acme_events'] = names(acme.audit_events.list(get_all=True))
      out['instance_events'] = names(gl.audit_events.list(get_all=True))
      changed = acme.audit_events.list(event_name='group_visibility_changed', get_all=True)
      out['visibility_event'] = attrs(changed[0])
    `);
    assert.equal(out.acme.description, 'the acme group');
    assert.equal(out.acme.visibility, 'internal');
    assert.equal(out.web.name, 'Web shop');
    assert.equal(out.web.path_with_namespace, 'acme/shop');
    assert.equal(out.web_moved, 'tools/shop');
    assert.equal(out.backend_moved, 'tools/backend');
    assert.equal(out.tools_moved, 'acme/tools');
    assert.equal(out.web_after_group_move, 'acme/tools/shop');
    assert.equal(out.backend_gone.status, 404);
    assert.equal(out.tools_gone.status, 404);
    assert.equal(out.web_gone.status, 404);

    for (const name of ['group_created', 'group_updated', 'group_visibility_changed', 'project_created', 'project_updated']) {
      assert.ok(out.acme_events.includes(name), `acme's log holds ${name}: ${out.acme_events.join(', ')}`);
    }
    for (const name of ['project_transferred', 'group_transferred', 'project_deleted', 'group_deleted']) {
      assert.ok(out.instance_events.includes(name), `the instance log holds ${name}: ${out.instance_events.join(', ')}`);
    }
    assert.equal(out.visibility_event.author_id, 1);
    assert.deepEqual(out.visibility_event.changes.visibility, { from: 'private', to: 'internal' });
  });

  it('gives members an expiry, changes their level, lists inherited members and records each change with the old and new values', async () => {
    const out = await gitlab(`
      carol = gl.users.create({'username': 'carol', 'email': 'carol@example.com', 'name': 'Carol', 'password': 'correct-horse-battery'})
      team = gl.groups.create({'name': 'Team', 'path': 'team'})
      app = gl.projects.create({'name': 'App', 'path': 'app', 'namespace_id': team.id})

      member = team.members.create({'user_id': carol.id, 'access_level': 30, 'expires_at': '2099-12-31'})
      out['created'] = attrs(member)
      member.access_level = 50
      member.expires_at = '2098-06-30'
      member.save()
      out['changed'] = attrs(team.members.get(carol.id))
      out['inherited'] = sorted((m.username, m.access_level) for m in app.members_all.list(get_all=True))
      out['inherited_one'] = attrs(app.members_all.get(carol.id))
      member.delete()
      out['after_delete'] = [m.username for m in team.members.list(get_all=True)]

      events = team.audit_events.list(get_all=True)
      out['member_events'] = [(e.event_name, e.details['target_details'], e.changes) for e in reversed(events) if e.event_name.startswith('member_')]
    `);
    assert.equal(out.created.expires_at, '2099-12-31');
    assert.equal(out.created.access_level, 30);
    assert.equal(out.changed.access_level, 50);
    assert.equal(out.changed.expires_at, '2098-06-30');
    assert.deepEqual(out.inherited, [['carol', 50], ['root', 50]]);
    assert.equal(out.inherited_one.username, 'carol');
    assert.deepEqual(out.after_delete, ['root']);

    const carolEvents = out.member_events.filter(([, target]: [string, string]) => target.includes('carol'));
    assert.deepEqual(
      carolEvents.map(([name]: [string]) => name),
      ['member_added', 'member_access_level_changed', 'member_removed'],
    );
    assert.deepEqual(carolEvents[0][2].access_level, { from: null, to: 30 });
    assert.deepEqual(carolEvents[1][2].access_level, { from: 30, to: 50 });
    assert.deepEqual(carolEvents[1][2].expires_at, { from: '2099-12-31', to: '2098-06-30' });
    assert.deepEqual(carolEvents[2][2].access_level, { from: 50, to: null });
  });

  it('changes, blocks, unblocks, makes admin and deletes users; a user reads their own events', async () => {
    const out = await gitlab(`
      dave = gl.users.create({'username': 'dave', 'email': 'dave@example.com', 'name': 'Dave', 'password': 'correct-horse-battery'})
      dave.name = 'Dave Grohl'
      dave.email = 'dave@drums.example'
      dave.save()
      out['changed'] = attrs(gl.users.get(dave.id))
      out['block'] = dave.block()
      out['blocked'] = gl.users.get(dave.id).state
      out['blocked_list'] = [u.username for u in gl.users.list(blocked=True, get_all=True)]
      out['active_list'] = [u.username for u in gl.users.list(active=True, get_all=True)]
      out['unblock'] = dave.unblock()
      out['unblocked'] = gl.users.get(dave.id).state
      out['search'] = [u.username for u in gl.users.list(search='GROHL', get_all=True)]
      out['search_email'] = [u.username for u in gl.users.list(search='drums.example', get_all=True)]
      dave.admin = True
      dave.save()
      out['admin'] = gl.users.get(dave.id).is_admin
      dave.admin = False
      dave.save()

      token = dave.personal_access_tokens.create({'name': 'dave-laptop', 'scopes': ['read_api']})
      as_dave = gitlab.Gitlab(data['url'], private_token=token.token)
      own = as_dave.http_list('/users/%d/audit_events' % dave.id, get_all=True)
      out['own_events'] = sorted(set(e['event_name'] for e in own))
      out['others_events'] = http_error(lambda: as_dave.http_list('/users/1/audit_events', get_all=True))

      gl.users.delete(dave.id)
      out['deleted'] = http_error(lambda: gl.users.get(dave.id))
      out['token_after_delete'] = http_error(lambda: as_dave.auth())
      out['instance'] = [(e.event_name, e.details['target_details']) for e in gl.audit_events.list(get_all=True) if e.event_name.startswith('user_')]
    `);
    assert.equal(out.changed.name, 'Dave Grohl');
    assert.equal(out.changed.email, 'dave@drums.example');
    assert.equal(out.block, true);
    assert.equal(out.blocked, 'blocked');
    assert.equal(out.unblock, true);
    assert.equal(out.unblocked, 'active');
    assert.deepEqual(out.blocked_list, ['dave']);
    assert.ok(!out.active_list.includes('dave') && out.active_list.includes('root'), out.active_list.join(', '));
    assert.deepEqual(out.search, ['dave']);
    assert.deepEqual(out.search_email, ['dave']);
    assert.equal(out.admin, true);
    assert.deepEqual(out.own_events, ['personal_access_token_created', 'user_admin_granted', 'user_admin_revoked', 'user_blocked', 'user_created', 'user_unblocked', 'user_updated']);
    assert.equal(out.others_events.status, 404);
    assert.equal(out.deleted.status, 404);
    assert.equal(out.token_after_delete.status, 401);
    const dave = out.instance.filter(([, target]: [string, string]) => target === 'dave').map(([name]: [string]) => name);
    for (const name of ['user_created', 'user_updated', 'user_blocked', 'user_unblocked', 'user_admin_granted', 'user_admin_revoked', 'user_deleted']) {
      assert.ok(dave.includes(name), `the instance log holds ${name} for dave: ${dave.join(', ')}`);
    }
  });

  it('filters lists as GitLab does: owned, membership, min_access_level, visibility, top_level_only and include_subgroups as python-gitlab sends them (True/False)', async () => {
    const out = await gitlab(`
      erin = gl.users.create({'username': 'erin', 'email': 'erin@example.com', 'name': 'Erin', 'password': 'correct-horse-battery'})
      token = erin.personal_access_tokens.create({'name': 'erin-cli', 'scopes': ['api']})
      as_erin = gitlab.Gitlab(data['url'], private_token=token.token)
      mine = as_erin.projects.create({'name': 'Notes', 'path': 'notes'})

      shop = gl.groups.create({'name': 'Shop', 'path': 'shop', 'visibility': 'public'})
      backend = gl.groups.create({'name': 'Backend', 'path': 'backend', 'parent_id': shop.id, 'visibility': 'public'})
      other = gl.groups.create({'name': 'Other', 'path': 'other', 'visibility': 'public'})
      gl.projects.create({'name': 'Cart', 'path': 'cart', 'namespace_id': backend.id, 'visibility': 'public'})
      gl.projects.create({'name': 'Ads', 'path': 'ads', 'namespace_id': other.id, 'visibility': 'public'})
      gl.projects.create({'name': 'Vault', 'path': 'vault', 'namespace_id': shop.id, 'visibility': 'internal'})
      shop.members.create({'user_id': erin.id, 'access_level': 30})

      paths = lambda items: sorted(i.path_with_namespace for i in items)
      groups = lambda items: sorted(g.full_path for g in items)
      out['visible'] = paths(as_erin.projects.list(get_all=True))
      out['membership'] = paths(as_erin.projects.list(membership=True, get_all=True))
      out['owned'] = paths(as_erin.projects.list(owned=True, get_all=True))
      out['maintainer'] = paths(as_erin.projects.list(min_access_level=40, get_all=True))
      out['public'] = paths(as_erin.projects.list(visibility='public', get_all=True))
      out['not_membership'] = paths(as_erin.projects.list(membership=False, get_all=True))
      out['groups_developer'] = groups(as_erin.groups.list(min_access_level=30, get_all=True))
      out['groups_top'] = groups(as_erin.groups.list(top_level_only=True, get_all=True))
      out['admin_owned'] = paths(gl.projects.list(owned=True, get_all=True))
      out['by_name'] = [p.path_with_namespace for p in as_erin.projects.list(order_by='name', sort='asc', get_all=True)]
      out['oldest_first'] = [p.path_with_namespace for p in as_erin.projects.list(order_by='created_at', sort='asc', get_all=True)]
      out['groups_by_name_desc'] = [g.full_path for g in as_erin.groups.list(order_by='name', sort='desc', get_all=True)]

      out['group_only'] = sorted(set(e.details['entity_path'] for e in shop.audit_events.list(get_all=True)))
      out['with_subgroups'] = sorted(set(e.details['entity_path'] for e in shop.audit_events.list(include_subgroups=True, get_all=True)))
    `);
    assert.deepEqual(out.visible, ['erin/notes', 'other/ads', 'shop/backend/cart', 'shop/vault']);
    assert.deepEqual(out.membership, ['erin/notes', 'shop/backend/cart', 'shop/vault']);
    assert.deepEqual(out.owned, ['erin/notes']);
    assert.deepEqual(out.maintainer, ['erin/notes']);
    assert.deepEqual(out.public, ['other/ads', 'shop/backend/cart']);
    assert.deepEqual(out.not_membership, out.visible);
    assert.deepEqual(out.groups_developer, ['shop', 'shop/backend']);
    assert.ok(out.groups_top.includes('shop') && out.groups_top.includes('other') && !out.groups_top.includes('shop/backend'), out.groups_top.join(', '));
    // An administrator's owned list is what they own (the groups they created), not everything they may manage.
    assert.ok(out.admin_owned.includes('other/ads') && !out.admin_owned.includes('erin/notes'), out.admin_owned.join(', '));
    assert.deepEqual(out.by_name, ['other/ads', 'shop/backend/cart', 'erin/notes', 'shop/vault']);
    assert.deepEqual(out.oldest_first, ['erin/notes', 'shop/backend/cart', 'other/ads', 'shop/vault']);
    assert.deepEqual(out.groups_by_name_desc.slice(0, 3), ['shop', 'other', 'shop/backend']);
    assert.deepEqual(out.group_only, ['shop']);
    assert.deepEqual(out.with_subgroups, ['shop', 'shop/backend']);
  });
});
