import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantsFrom, type MemberEvent } from './grant-history.js';
import { staleReason } from './write-credentials.js';

// Which event granted a membership its level, read from the member events alone; and the stale
// rule for credentials. The end-to-end test (test/e2e/access-review-api.e2e.test.ts) covers what
// the API can produce; these cover histories it cannot: memberships older than the log.

const actor = (username: string) => ({ type: 'user' as const, user_id: 1, username, token_id: null, token_name: null, token_owner_path: null });

let nextId = 1;
function groupEvent(name: MemberEvent['event_name'], userId: number, from: number | null, to: number | null, by = 'olga'): MemberEvent {
  const id = nextId++;
  return {
    id,
    event_name: name,
    created_at: `2026-01-0${id}T00:00:00.000Z`,
    actor: actor(by),
    via: 'api',
    entity_id: 7,
    details: { target_id: userId } as MemberEvent['details'],
    changes: { access_level: { from, to }, expires_at: { from: null, to: null } },
    project: null,
  };
}

const acme = { type: 'namespace' as const, id: 7 };

describe('grantsFrom', () => {
  it('names the event that gave the current level: a level change, not the earlier add', () => {
    const added = groupEvent('member_added', 3, null, 30);
    const promoted = groupEvent('member_access_level_changed', 3, 30, 40, 'bob');
    const grantOf = grantsFrom([added, promoted]);
    assert.equal(grantOf(acme, 3, 40)?.event_id, promoted.id);
    assert.equal(grantOf(acme, 3, 40)?.granted_by.username, 'bob');
  });

  it('keeps the grant when only the expiry changed', () => {
    const added = groupEvent('member_added', 4, null, 30);
    const expiryOnly = groupEvent('member_access_level_changed', 4, 30, 30, 'bob');
    assert.equal(grantsFrom([added, expiryOnly])(acme, 4, 30)?.event_id, added.id);
  });

  it('says unknown (null) for a membership the log has no event for, or whose level the log does not explain', () => {
    const grantOf = grantsFrom([groupEvent('member_added', 5, null, 20)]);
    assert.equal(grantOf(acme, 6, 30), null, 'no event at all: older than the log');
    assert.equal(grantOf(acme, 5, 40), null, 'the last event says 20, the membership says 40');
    assert.equal(grantOf({ type: 'project', id: 7 }, 5, 20), null, 'a project membership is another membership');
  });

  it('forgets a grant when the member was removed, and starts again when re-added', () => {
    const first = groupEvent('member_added', 8, null, 30);
    const removed = groupEvent('member_removed', 8, 30, null);
    assert.equal(grantsFrom([first, removed])(acme, 8, 30), null);
    const again = groupEvent('member_added', 8, null, 30, 'root');
    assert.equal(grantsFrom([first, removed, again])(acme, 8, 30)?.event_id, again.id);
  });
});

describe('staleReason', () => {
  const now = Date.parse('2026-12-06T12:00:00.000Z');
  const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();

  it('flags a token last used more than 90 days ago, and one never used and created more than 90 days ago', () => {
    assert.equal(staleReason(daysAgo(91), daysAgo(200), now), 'unused_90_days');
    assert.equal(staleReason(null, daysAgo(91), now), 'never_used_90_days');
  });

  it('does not flag a token used or created within 90 days', () => {
    assert.equal(staleReason(daysAgo(89), daysAgo(200), now), null);
    assert.equal(staleReason(null, daysAgo(89), now), null);
  });
});
