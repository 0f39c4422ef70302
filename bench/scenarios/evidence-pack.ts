import { spawn } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { withTempDir } from '../../test/support/temp-dir.js';
import { startTrove, REPO_ROOT } from '../../test/support/trove-process.js';
import type { GenerateJob } from '../audit-generate.js';
import type { BenchConfig } from '../config.js';
import { atMost, figure, type Figure } from '../figures.js';
import { run } from '../processes.js';
import { DAYS, ENV, makeAccounts } from './audit-scale.js';
import { verifySeconds, waitUntilSealed } from './audit-scale-export.js';

// `npm run bench -- --only=evidence-pack`: N events (1M in the full run) written through the real
// recorder, sealed by Trove, the instance's evidence pack downloaded over HTTP, unzipped, and its
// verify.mjs run on it (the target: 1M events in at most 10 s); then `trove audit verify` of the
// same log, live, for comparison. TROVE_BENCH_PACK_DIR=<dir> keeps the unzipped pack there.

function download(url: string, token: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { 'private-token': token } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`evidence pack: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      pipeline(res, createWriteStream(file)).then(resolve, reject);
    });
    req.on('error', reject);
  });
}

/** Wall time of `node verify.mjs` in the pack's folder; its output when it does not exit 0. */
function timeVerifier(folder: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['verify.mjs'], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`verify.mjs exited ${code}:\n${output}`))));
  });
}

export function evidencePack(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  return withTempDir('trove-bench-pack-', (dir) => evidencePackIn(dir, config, log));
}

async function evidencePackIn(dir: string, config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const dataDir = join(dir, 'data');
  const rootToken = 'glpat-bench-root-abcdefghijklmnopqrst';
  const accounts = await makeAccounts(dataDir, rootToken);
  const endMs = Date.now();
  const job: GenerateJob = { databaseFile: join(dataDir, 'trove.db'), events: config.auditEvents, startMs: endMs - DAYS * 86_400_000, endMs, ...accounts };
  const generated = JSON.parse(await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'audit-generate.ts'), JSON.stringify(job)])) as { seconds: number };
  log(`${config.auditEvents} events written in ${generated.seconds.toFixed(1)} s; sealing`);

  const zip = join(dir, 'pack.zip');
  const trove = await startTrove({ dataDir, env: { ...ENV, TROVE_ROOT_TOKEN: rootToken } });
  let buildSeconds: number;
  try {
    await waitUntilSealed(trove.baseUrl, rootToken, config.auditEvents, config.mode === 'full' ? 900_000 : 120_000);
    log('downloading the instance evidence pack');
    const started = performance.now();
    await download(`${trove.baseUrl}/api/v4/audit_evidence_pack`, rootToken, zip);
    buildSeconds = (performance.now() - started) / 1000;
  } finally {
    await trove.stop();
  }
  const folder = process.env.TROVE_BENCH_PACK_DIR ?? join(dir, 'pack');
  await run('unzip', ['-q', '-o', zip, '-d', folder]);
  log(`pack of ${(statSync(zip).size / 2 ** 20).toFixed(0)} MB built in ${buildSeconds.toFixed(1)} s; verifying it`);
  const packVerify = await timeVerifier(folder);
  log(`verify.mjs: ${packVerify.toFixed(1)} s; trove audit verify (live)`);
  const live = await verifySeconds(dataDir);
  return [
    figure(`evidence pack (instance, ${config.auditEvents} events): build and download`, 's', buildSeconds, null, null),
    figure(`evidence pack (instance, ${config.auditEvents} events): size`, 'MB', statSync(zip).size / 2 ** 20, null, null),
    figure(`evidence pack (instance, ${config.auditEvents} events): verify.mjs`, 's', packVerify, null, config.auditEvents >= 1_000_000 ? atMost(10, 'value') : null),
    figure(`trove audit verify (live, ${config.auditEvents} events)`, 's', live, null, null),
  ];
}
