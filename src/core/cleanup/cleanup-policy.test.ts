import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyUpdate, DEFAULT_SETTINGS, nextRunAfter, settingChanges } from './cleanup-policy.js';

const now = new Date('2026-01-31T10:00:00.000Z');
const asUser = { now, maySetNextRunAt: false };

describe('cleanup policy settings', () => {
  it('computes next_run_at from the cadence when enabled', () => {
    const enabled = applyUpdate(DEFAULT_SETTINGS, { enabled: true, cadence: '7d', keep_n_versions: 2 }, asUser);
    assert.equal(enabled.next_run_at, '2026-02-07T10:00:00.000Z');
    assert.equal(nextRunAfter('1d', now), '2026-02-01T10:00:00.000Z');
    assert.equal(nextRunAfter('14d', now), '2026-02-14T10:00:00.000Z');
    assert.equal(nextRunAfter('1month', new Date('2026-01-15T00:00:00.000Z')), '2026-02-15T00:00:00.000Z');
    assert.equal(nextRunAfter('3month', new Date('2026-01-15T00:00:00.000Z')), '2026-04-15T00:00:00.000Z');
    // Unchanged cadence on an enabled policy keeps its schedule; a new cadence reschedules.
    const later = { now: new Date('2026-02-03T00:00:00.000Z'), maySetNextRunAt: false };
    assert.equal(applyUpdate(enabled, { keep_n_versions: 3 }, later).next_run_at, '2026-02-07T10:00:00.000Z');
    assert.equal(applyUpdate(enabled, { cadence: '1d' }, later).next_run_at, '2026-02-04T00:00:00.000Z');
    assert.equal(applyUpdate(enabled, { enabled: false }, later).next_run_at, null);
  });

  it('accepts form values (strings) and clears with null or ""', () => {
    const policy = applyUpdate(DEFAULT_SETTINGS, { enabled: 'true', keep_n_versions: '5', older_than_days: '0', name_regex: '^ui' }, asUser);
    assert.deepEqual([policy.enabled, policy.keep_n_versions, policy.older_than_days, policy.name_regex], [true, 5, 0, '^ui']);
    const cleared = applyUpdate(policy, { keep_n_versions: null, name_regex: '' }, asUser);
    assert.deepEqual([cleared.keep_n_versions, cleared.name_regex], [null, null]);
  });

  it('refuses invalid values', () => {
    const refuse = (body: Record<string, unknown>, message: RegExp) =>
      assert.throws(() => applyUpdate(DEFAULT_SETTINGS, body, asUser), (error: { statusCode: number; message: string }) => {
        assert.equal(error.statusCode, 400);
        assert.match(error.message, message);
        return true;
      });
    refuse({ name_regex: '(unclosed' }, /name_regex is not a valid regular expression/);
    refuse({ version_regex_keep: '[z-a]' }, /version_regex_keep is not a valid regular expression/);
    refuse({ name_regex_keep: 'a'.repeat(256) }, /too long/);
    refuse({ name_regex: 42 }, /must be a string/);
    refuse({ keep_n_versions: 0 }, /keep_n_versions must be an integer/);
    refuse({ keep_n_versions: 1.5 }, /keep_n_versions/);
    refuse({ older_than_days: -1 }, /older_than_days/);
    refuse({ cadence: '2d' }, /cadence does not have a valid value/);
    refuse({ enabled: 'yes' }, /enabled must be true or false/);
    refuse({ keep_n: 5 }, /Unknown cleanup policy field/);
    refuse({ next_run_at: '2026-01-01T00:00:00Z' }, /only on an enabled policy/);
    assert.equal(applyUpdate(DEFAULT_SETTINGS, { name_regex_keep: 'a'.repeat(255) }, asUser).name_regex_keep?.length, 255);
  });

  it('lets only administrators set next_run_at', () => {
    assert.throws(() => applyUpdate(DEFAULT_SETTINGS, { enabled: true, next_run_at: '2026-01-01T00:00:00Z' }, asUser), { statusCode: 403 });
    const admin = applyUpdate(DEFAULT_SETTINGS, { enabled: true, next_run_at: '2026-01-01T00:00:00Z' }, { now, maySetNextRunAt: true });
    assert.equal(admin.next_run_at, '2026-01-01T00:00:00.000Z');
    assert.throws(() => applyUpdate(DEFAULT_SETTINGS, { enabled: true, next_run_at: 'tomorrow' }, { now, maySetNextRunAt: true }), { statusCode: 400 });
  });

  it('describes a change as before/after of each changed setting', () => {
    const after = applyUpdate(DEFAULT_SETTINGS, { enabled: true, keep_n_versions: 2 }, asUser);
    assert.deepEqual(settingChanges(DEFAULT_SETTINGS, after), {
      enabled: { from: false, to: true },
      keep_n_versions: { from: null, to: 2 },
      next_run_at: { from: null, to: '2026-02-01T10:00:00.000Z' },
    });
    assert.deepEqual(settingChanges(after, after), {});
  });
});
