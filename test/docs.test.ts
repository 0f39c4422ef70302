import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { anchorsOf, brokenDocumentLinks, designDocumentCitations, headingSlug, type Problem } from '../scripts/check-docs.js';
import { tempDir } from './support/temp-dir.js';

// The repository stands alone: its documents link only to what exists, and its code points at
// docs/ rather than at a design document kept elsewhere (scripts/check-docs.ts).

function listed(problems: Problem[]): string {
  return problems.map(({ file, problem }) => `${file}: ${problem}`).join('\n');
}

describe('documents', () => {
  it('every relative link and anchor in README.md, DEVELOPERS.md, CHANGELOG.md and docs/*.md resolves', () => {
    const problems = brokenDocumentLinks();
    assert.equal(problems.length, 0, listed(problems));
  });

  it('no file under src/, test/, scripts/, bench/ or web/ cites design document sections instead of docs/', () => {
    const citations = designDocumentCitations();
    assert.equal(citations.length, 0, `cite docs/ instead (the mapping of each section to its doc):\n${listed(citations)}`);
  });

  it('makes anchors as GitHub does', () => {
    assert.equal(headingSlug('Web UI (`web/`)'), 'web-ui-web');
    assert.equal(headingSlug('Scale-out: PostgreSQL and several Trove processes'), 'scale-out-postgresql-and-several-trove-processes');
    assert.equal(headingSlug("What the tests and the benchmark leave behind: nothing"), 'what-the-tests-and-the-benchmark-leave-behind-nothing');
    assert.equal(headingSlug('The [audit](x.md) record'), 'the-audit-record');
    assert.deepEqual([...anchorsOf('# A\n## Notes\n```\n# not a heading\n```\n### Notes\n')], ['a', 'notes', 'notes-1']);
  });

  it('finds a missing file, a missing anchor and a citation, and ignores links in code', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'docs'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'DEVELOPERS.md'), '# Dev\n');
    writeFileSync(path.join(root, 'CHANGELOG.md'), '# Changes\n');
    writeFileSync(
      path.join(root, 'README.md'),
      '# Trove\n[a](docs/a.md#the-write-path) [b](docs/gone.md) [c](#trove) [d](docs/a.md#nowhere)\n' +
        '`[e](docs/gone.md)`\n```\n[f](docs/gone.md)\n```\n[g](https://example.com/x)\n',
    );
    writeFileSync(path.join(root, 'docs/a.md'), '# A\n## The write path\n[back](../README.md#trove)\n');
    writeFileSync(path.join(root, 'src/x.ts'), ['// fine (docs/a.md#the-write-path)', `// cited (S${'PEC'} 4.4)`].join('\n'));
    assert.deepEqual(brokenDocumentLinks(root), [
      { file: 'README.md', problem: 'docs/gone.md: no such file' },
      { file: 'README.md', problem: 'docs/a.md#nowhere: no heading with the anchor #nowhere' },
    ]);
    assert.deepEqual(designDocumentCitations(root), [{ file: 'src/x.ts:2', problem: `// cited (S${'PEC'} 4.4)` }]);
  });
});
