import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACTIVITY_KINDS, activityKindOf } from '../../src/contracts/activity-kinds.js';
import { seedActivityDays, type ActivityDays } from '../support/activity-days.js';
import { World } from '../support/world.js';
import { allEvents } from '../support/audit-e2e.js';

// GET .../audit_events/activity: events per UTC day and activity kind, over a log written on three
// past days (Trove restarted with its clock on each, test/support/activity-days.ts), counted with
// exactly the visibility of the events list (a developer counts only their own actions), and the
// list's event_kind filter that a click on the chart applies.

type Counts = Partial<Record<(typeof ACTIVITY_KINDS)[number], number>>;

/** The API's days as {day: {kind: n}} without the zeros. */
function nonZero(activity: { days: Array<{ day: string; total: number; counts: Record<string, number> }> }): Record<string, Counts> {
  const out: Record<string, Counts> = {};
  for (const { day, total, counts } of activity.days) {
    const kept = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    assert.equal(total, Object.values(counts).reduce((a, b) => a + b, 0), `total of ${day}`);
    out[day] = kept;
  }
  return out;
}

describe('audit activity per day and kind', () => {
  let seeded: ActivityDays;
  let period: string;

  before(async () => {
    seeded = await seedActivityDays();
    period = `from=${seeded.days[0]}&to=${seeded.days[2]}`;
  });

  after(async () => {
    await seeded?.trove.stop();
  });

  it("counts a group owner's view per day and kind exactly", async () => {
    const [d1, d2, d3] = seeded.days;
    const activity = await seeded.root.expect(200, 'GET', `/api/v4/groups/${seeded.group.id}/audit_events/activity?${period}`);
    assert.deepEqual(activity.kinds, [...ACTIVITY_KINDS]);
    assert.equal(activity.from, `${d1}T00:00:00.000Z`);
    assert.equal(activity.to, `${d3}T23:59:59.999Z`);
    assert.deepEqual(nonZero(activity), {
      // npm publishes: the version and its dist-tag; the group's creator and dave become members
      [d1]: { publish: 4, access: 2, other: 2 },
      [d2]: { publish: 2, delete: 2, denied: 1, settings: 1 }, // b deleted with its dist-tag
      [d3]: { publish: 2, access: 1 },
    });
  });

  it("counts only a developer's own actions, as the events list shows them", async () => {
    const [d1, d2, d3] = seeded.days;
    const activity = await seeded.dave.api.expect(200, 'GET', `/api/v4/groups/${seeded.group.id}/audit_events/activity?${period}`);
    assert.deepEqual(nonZero(activity), { [d1]: { publish: 2 }, [d2]: { publish: 2, denied: 1 }, [d3]: { publish: 2 } });
  });

  it('counts the instance view as its events list, folded by the same kinds', async () => {
    const activity = await seeded.root.expect(200, 'GET', `/api/v4/audit_events/activity?${period}`);
    const events = await allEvents(seeded.root, '/api/v4/audit_events', `&created_after=${activity.from}&created_before=${activity.to}`);
    const expected: Record<string, Counts> = Object.fromEntries(seeded.days.map((d) => [d, {}]));
    for (const event of events) {
      const counts = expected[event.created_at.slice(0, 10)];
      const kind = activityKindOf(event.event_name);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    assert.ok(events.length > 10);
    assert.deepEqual(nonZero(activity), expected);
  });

  it("counts a user's own log as its events list, and only for that user or an administrator", async () => {
    const path = `/api/v4/users/${seeded.dave.id}/audit_events`;
    const activity = await seeded.dave.api.expect(200, 'GET', `${path}/activity?${period}`);
    const events = await allEvents(seeded.dave.api, path, `&created_after=${activity.from}&created_before=${activity.to}`);
    const expected: Record<string, Counts> = Object.fromEntries(seeded.days.map((d) => [d, {}]));
    for (const event of events) {
      const counts = expected[event.created_at.slice(0, 10)];
      const kind = activityKindOf(event.event_name);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    assert.ok(events.length > 0);
    assert.deepEqual(nonZero(activity), expected);
    assert.deepEqual(await seeded.root.expect(200, 'GET', `${path}/activity?${period}`), activity);
    const erin = await new World(seeded.trove).user('erin');
    assert.equal((await erin.api.get(`${path}/activity?${period}`)).status, 404);
  });

  it('lists every day of the period, empty ones too, and defaults to the last 30 days', async () => {
    const wide = await seeded.root.expect(200, 'GET', `/api/v4/projects/${seeded.project.id}/audit_events/activity?from=${seeded.days[0]}&to=${new Date().toISOString().slice(0, 10)}`);
    assert.equal(wide.days.length, 4);
    assert.equal(wide.days[3].total, 0);
    const byDefault = await seeded.root.expect(200, 'GET', `/api/v4/groups/${seeded.group.id}/audit_events/activity`);
    assert.equal(byDefault.days.length, 30);
    assert.equal(byDefault.days.reduce((n: number, d: { total: number }) => n + d.total, 0), 17);
  });

  it('filters the events list and the chart by event_kind, as a click on a bar does', async () => {
    const [, d2] = seeded.days;
    const day = `&created_after=${d2}T00:00:00.000Z&created_before=${d2}T23:59:59.999Z`;
    const denied = await allEvents(seeded.root, `/api/v4/groups/${seeded.group.id}/audit_events`, `${day}&event_kind=denied`);
    assert.deepEqual(denied.map((e) => e.event_name), ['package_registry_package_publish_denied']);
    const others = await allEvents(seeded.root, `/api/v4/groups/${seeded.group.id}/audit_events`, `&event_kind=other`);
    assert.deepEqual(others.map((e) => e.event_name).sort(), ['group_created', 'project_created']);
    const onlyDenied = await seeded.root.expect(200, 'GET', `/api/v4/groups/${seeded.group.id}/audit_events/activity?${period}&event_kind=denied`);
    assert.deepEqual(nonZero(onlyDenied), { [seeded.days[0]]: {}, [d2]: { denied: 1 }, [seeded.days[2]]: {} });
  });

  it('refuses an unknown kind, a reversed period and one over 400 days, and hides the activity from those who may not read the log', async () => {
    const group = `/api/v4/groups/${seeded.group.id}/audit_events`;
    assert.equal((await seeded.root.get(`${group}?event_kind=everything`)).status, 400);
    assert.equal((await seeded.root.get(`${group}/activity?from=${seeded.days[2]}&to=${seeded.days[0]}`)).status, 400);
    assert.equal((await seeded.root.get(`${group}/activity?from=2020-01-01&to=2026-01-01`)).status, 400);
    assert.equal((await seeded.dave.api.get('/api/v4/audit_events/activity')).status, 403);
  });
});
