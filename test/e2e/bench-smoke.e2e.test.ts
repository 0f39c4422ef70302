// One backend: the benchmark runs Trove on its embedded default (SQLite).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../bench/processes.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { REPO_ROOT, tempDir } from '../support/trove-process.js';

// The benchmark harness (npm run bench) in a tiny run: the peer installs on demand, both servers
// answer every scenario, and the table and the results JSON come out. The figures themselves are
// not checked here (the full benchmark is not part of CI). SQLite only: the benchmark measures the
// embedded default, so the PostgreSQL run of the suite would repeat the very same run.

interface SmokeRun {
  stdout: string;
  figures: { name: string; trove: number; peer: number | null }[];
}

/** `npm run bench -- --smoke [args]` with results in a temp folder: the table and the results JSON. */
async function smokeRun(args: string[]): Promise<SmokeRun> {
  const results = tempDir('trove-bench-results-');
  // Rejects with the exit code, stderr and stdout if the run fails.
  const stdout = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TROVE_BENCH_RESULTS_DIR: results },
  });
  assert.match(stdout, /\| figure +\| +unit +\| +Trove +\| Verdaccio 6\.8\.0/);
  const files = readdirSync(results).filter((f) => f.endsWith('-smoke.json'));
  assert.equal(files.length, 1);
  const written = JSON.parse(readFileSync(join(results, files[0]), 'utf8')) as { figures: SmokeRun['figures'] };
  return { stdout, figures: written.figures };
}

// The runs' timeouts only catch a hang: a smoke run takes 40-80 s on an idle 2-core machine and
// several times that when the machine is busy with other work, which must not fail the test.
const HANG_GUARD_MS = 15 * 60_000;

describe('benchmark harness smoke run', { skip: TEST_BACKEND === 'postgres' ? 'the benchmark runs Trove on its embedded default (SQLite)' : false }, () => {
  it('runs Trove and Verdaccio side by side and prints the table', { timeout: HANG_GUARD_MS }, async () => {
    const { stdout, figures } = await smokeRun([]);
    for (const row of [/packument 1-version full, c=10/, /tarball 100 KB/, /publish \d+ versions sequentially/, /npm install 20-package tree/, /peak RSS of the server/]) {
      assert.match(stdout, row);
    }
    // Both servers answered: every side-by-side figure has a positive value on each side.
    for (const f of figures) {
      assert.ok(f.trove > 0 && f.peer !== null && f.peer > 0, `${f.name}: trove ${f.trove}, peer ${f.peer}`);
    }
  });

  it('measures the Trove-only ratios, publishes interleaved on both sides of a round', { timeout: HANG_GUARD_MS }, async () => {
    const { stdout, figures } = await smokeRun(['--only=trove-only']);
    const ratios = [/publish 4 sequentially \(2 at a time, interleaved\), audit events on \/ off/, /dead streaming destination \/ none/, /download events on \/ off/];
    for (const row of [...ratios, /generic upload 1 MB, RSS growth/]) assert.match(stdout, row);
    // Each ratio figure has a positive rate on both of its sides, in every round.
    for (const f of figures.filter((f) => ratios.some((r) => r.test(f.name)))) {
      assert.ok(f.trove > 0 && f.peer !== null && f.peer > 0, `${f.name}: ${f.trove} / ${f.peer}`);
    }
    assert.equal(figures.length, 4);
  });

  it('runs mvn against Trove and nginx, and deploys with audit events on and off', { timeout: HANG_GUARD_MS }, async () => {
    const { stdout, figures } = await smokeRun(['--only=maven']);
    assert.match(stdout, /mvn dependency:resolve 4-artifact tree, cold local repository: Trove group endpoint \/ nginx static files/);
    assert.match(stdout, /mvn deploy of a 3-module reactor, audit events on \/ off/);
    // Both sides of both rows were measured (the run itself checks that mvn resolved every jar and
    // that only the "on" group recorded publish events), and the resolve row notes mvn's floor.
    assert.equal(figures.length, 2);
    for (const f of figures) assert.ok(f.trove > 0 && f.peer !== null && f.peer > 0, `${f.name}: ${f.trove} / ${f.peer}`);
    assert.match(stdout, /mvn alone \(resolving nothing\)/);
  });
});
