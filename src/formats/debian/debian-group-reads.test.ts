import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Project } from '../../core/accounts/projects.js';
import type { DistributionRow } from './debian-distributions.js';
import { sourcesOf } from './debian-group-reads.js';
import { packageStanza, type IndexedDeb } from './debian-release.js';

const project = (id: number) => ({ id, full_path: `team/p${id}` }) as Project;
const distribution = (id: number) => ({ id, codename: 'tools' }) as DistributionRow;

describe('Debian group distribution sources', () => {
  it('are the readable projects that have a distribution of the codename, in id order; no other project adds anything', () => {
    // Project 3 is readable but has no "tools"; project 4 has one but is not readable (not in the list).
    const named = new Map([
      [7, distribution(70)],
      [2, distribution(20)],
      [4, distribution(40)],
    ]);
    const sources = sourcesOf([project(7), project(3), project(2)], named);
    assert.deepEqual(
      sources.map((s) => [s.project.id, s.distribution.id]),
      [
        [2, 20],
        [7, 70],
      ],
    );
    assert.deepEqual(sourcesOf([], named), []);
  });

  it('list a file under its project in the group pool, as GitLab does', () => {
    const deb: IndexedDeb = { name: 'libfoo', version: '1.0', fileName: 'libfoo_1.0_all.deb', component: 'main', architecture: 'all', size: 1, md5: 'm', sha1: 's', sha256: 'h', control: [['Package', 'libfoo']] };
    assert.match(packageStanza('tools', { ...deb, projectId: 12 }), /^Filename: pool\/tools\/12\/libf\/libfoo\/1\.0\/libfoo_1\.0_all\.deb$/m);
    assert.match(packageStanza('tools', deb), /^Filename: pool\/tools\/libf\/libfoo\/1\.0\/libfoo_1\.0_all\.deb$/m);
  });
});
