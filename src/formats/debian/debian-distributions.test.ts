import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatedFields, type DistributionFields } from './debian-distributions.js';

const base: DistributionFields = { codename: 'stable', suite: null, origin: null, label: null, version: null, description: null, valid_time_duration_seconds: null, components: [], architectures: [] };

describe('Debian distribution fields', () => {
  it('always has the "all" architecture and "main" when no component is given, sorted and once each', () => {
    const fields = validatedFields({ ...base, architectures: ['arm64', 'amd64', 'amd64'] });
    assert.deepEqual(fields.architectures, ['all', 'amd64', 'arm64']);
    assert.deepEqual(fields.components, ['main']);
    assert.deepEqual(validatedFields({ ...base, components: ['contrib', 'main'] }).components, ['contrib', 'main']);
  });

  it('refuses what would break a Release file or a URL', () => {
    for (const bad of [
      { codename: '../x' },
      { suite: 'stable' },
      { description: 'two\nlines' },
      { valid_time_duration_seconds: 3600 },
      { components: ['main/x'] },
      { architectures: ['AMD64'] },
      { origin: 'x'.repeat(256) },
    ]) {
      assert.throws(() => validatedFields({ ...base, ...bad }), /invalid|differ|at least/, JSON.stringify(bad));
    }
  });
});
