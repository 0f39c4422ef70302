import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allEvents } from '../support/audit-e2e.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { webSession } from '../support/web-session.js';
import { World, type TestUser } from '../support/world.js';

// The first question of an access review, "who gave alice owner rights on acme, when, and how?",
// answered from acme's audit events alone: the actor, the way in (web, api), the member and the
// level before and after, for each grant.

describe('access review: who granted what, when, how', () => {
  let trove: RunningTrove;
  let olga: TestUser;
  let bob: TestUser;
  let alice: TestUser;
  let acme: { id: number };

  before(async () => {
    trove = await startTrove();
    const world = new World(trove);
    olga = await world.user('olga', ['api'], 'olga-laptop');
    bob = await world.user('bob');
    alice = await world.user('alice');
    const dora = await world.user('dora');
    acme = await olga.api.expect(201, 'POST', '/api/v4/groups', { name: 'acme', path: 'acme' });
    await olga.api.expect(201, 'POST', `/api/v4/groups/${acme.id}/members`, { user_id: bob.id, access_level: 50 });
    await olga.api.expect(201, 'POST', `/api/v4/groups/${acme.id}/members`, { user_id: alice.id, access_level: 30 });
    await olga.api.expect(201, 'POST', `/api/v4/groups/${acme.id}/members`, { user_id: dora.id, access_level: 20 });
    const bobInBrowser = await webSession(trove, 'bob');
    await bobInBrowser.expect(200, 'PUT', `/api/v4/groups/${acme.id}/members/${alice.id}`, { access_level: 50 });
    await bobInBrowser.expect(200, 'PUT', `/api/v4/groups/${acme.id}/members/${dora.id}`, { access_level: 30 });
  });

  after(async () => {
    await trove?.stop();
  });

  it("answers from acme's own events: bob made alice an owner in the web UI, after olga had added her as developer through the API", async () => {
    const events = await allEvents(olga.api, `/api/v4/groups/${acme.id}/audit_events`, '&event_name=member_added&event_name=member_access_level_changed');
    const aliceGrants = events.filter((e) => e.details.target_type === 'User' && e.details.target_id === alice.id).reverse();
    const answer = aliceGrants.map((e) => ({
      what: e.event_name,
      who: e.actor.username,
      how: e.via,
      credential: e.actor.type,
      token: e.actor.token_name,
      member: e.details.target_details,
      level: e.changes.access_level,
      group: e.details.entity_path,
    }));
    assert.deepEqual(answer, [
      { what: 'member_added', who: 'olga', how: 'api', credential: 'personal_access_token', token: 'olga-laptop', member: 'alice', level: { from: null, to: 30 }, group: 'acme' },
      { what: 'member_access_level_changed', who: 'bob', how: 'web', credential: 'user', token: null, member: 'alice', level: { from: 30, to: 50 }, group: 'acme' },
    ]);
    const [added, promoted] = aliceGrants;
    assert.ok(Date.parse(added.created_at) <= Date.parse(promoted.created_at), 'when: in order, with timestamps');

    // And who made bob an owner, so that he could: olga, through the API.
    const bobGrant = events.find((e) => e.details.target_id === bob.id && e.changes.access_level.to === 50);
    assert.deepEqual([bobGrant.actor.username, bobGrant.via, bobGrant.event_name], ['olga', 'api', 'member_added']);
    // And olga's own ownership: she created the group.
    const olgaGrant = events.find((e) => e.details.target_id === olga.id);
    assert.deepEqual([olgaGrant.actor.username, olgaGrant.changes.access_level], ['olga', { from: null, to: 50 }]);
  });

  it('the same answer on the filter an auditor would use: event name and level changes of one member', async () => {
    const promotions = await allEvents(olga.api, `/api/v4/groups/${acme.id}/audit_events`, '&event_name=member_access_level_changed');
    const toOwner = promotions.filter((e) => e.changes.access_level.to === 50);
    assert.deepEqual(toOwner.map((e) => [e.details.target_details, e.actor.username, e.via]), [['alice', 'bob', 'web']]);
  });
});
