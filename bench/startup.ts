import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, tempDir } from '../test/support/trove-process.js';
import { median } from './figures.js';

// Time to serve: a restart (build already done) to the first answer of GET /api/v4/version, as
// `until curl ...; do sleep 0.02; done` sees it, on a fresh data folder and on an existing one,
// and where the time goes: node's own start, npm's, build-if-changed's check, loading the
// modules (and how many files), the migrations, the rest of createTrove, listen.
//   node --import tsx bench/startup.ts [--runs=N] [--dist=dist]
// `npm start` is measured only when --dist is dist (the folder it runs); the others use --dist.

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 7);
const dist = args.find((a) => a.startsWith('--dist='))?.slice(7) ?? 'dist';
const mainJs = process.env.TROVE_STARTUP_MAIN ?? join(dist, 'main.js');

const wall = (command: string, argv: string[], env: NodeJS.ProcessEnv = process.env) => {
  const started = performance.now();
  const result = spawnSync(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')}: exit ${result.status}\n${result.stderr}`);
  return { ms: performance.now() - started, stdout: result.stdout };
};

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
/** CPU ms (user + system) a process has used so far (/proc/<pid>/stat, fields 14 and 15). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms the last toFirstAnswer's process used until the answer (when it is node itself): steadier than wall time on a busy machine. */
let lastCpuMs: number | undefined;

/** Starts `command` in a process group of its own, polls GET /api/v4/version every 20 ms, returns ms to the first answer, then ends the group. */
async function toFirstAnswer(command: string, argv: string[], dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, argv, { cwd: ROOT, detached: true, stdio: 'ignore', env: { ...process.env, TROVE_PORT: String(port), TROVE_HOST: '127.0.0.1', TROVE_DATA_DIR: dataDir, TROVE_LOG_LEVEL: 'warn' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} ${argv.join(' ')} exited with ${child.exitCode}`);
      try {
        await (await fetch(`http://127.0.0.1:${port}/api/v4/version`)).arrayBuffer();
        const ms = performance.now() - started;
        lastCpuMs = command === process.execPath ? cpuMsOf(child.pid!) : undefined;
        return ms;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

interface Variant {
  label: string;
  command: string;
  argv: string[];
}

/**
 * Restarts of each variant, alternated run by run (order reversed every other run) so that a busy
 * machine's minutes touch them alike. Fresh: a new data folder each run. Existing: one folder per
 * variant that a first (unmeasured) start made.
 */
async function restarts(variants: Variant[]): Promise<Record<string, number[]>> {
  const existing = variants.map(() => join(tempDir('trove-startup-'), 'data'));
  for (const [v, variant] of variants.entries()) await toFirstAnswer(variant.command, variant.argv, existing[v]);
  const out: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    const order = [...variants.keys()];
    if (i % 2) order.reverse();
    for (const v of order) {
      const { label, command, argv } = variants[v];
      for (const [kind, dataDir] of [['fresh', () => join(tempDir('trove-startup-'), 'data')], ['existing', () => existing[v]]] as const) {
        (out[`${label}, ${kind} data folder`] ??= []).push(await toFirstAnswer(command, argv, dataDir()));
        if (lastCpuMs !== undefined) (cpu[`${label}, ${kind} data folder: CPU until then`] ??= []).push(lastCpuMs);
      }
    }
  }
  return { ...out, ...cpu };
}

/** Files node opens while `node main.js` starts until it answers: modules of the server and of node_modules. */
async function filesLoaded(entry: string): Promise<{ own: number; dependencies: number } | undefined> {
  if (!existsSync('/usr/bin/strace')) return undefined;
  const trace = join(tempDir('trove-startup-trace-'), 'trace');
  await toFirstAnswer('/usr/bin/strace', ['-f', '-qq', '-e', 'trace=openat', '-e', 'signal=none', '-o', trace, process.execPath, entry], join(tempDir('trove-startup-'), 'data'));
  const files = new Set(
    readFileSync(trace, 'utf8')
      .split('\n')
      .filter((line) => !line.includes('ENOENT'))
      .map((line) => /openat\([^"]*"([^"]+\.(?:js|mjs|cjs|json|node))"/.exec(line)?.[1])
      .filter((f): f is string => f !== undefined),
  );
  const dependencies = [...files].filter((f) => f.includes('/node_modules/')).length;
  return { own: files.size - dependencies, dependencies };
}

const samples: Record<string, number[]> = {};
const add = (more: Record<string, number[]>) => Object.assign(samples, more);
add({ 'node -e 0 (node itself)': Array.from({ length: runs }, () => wall(process.execPath, ['-e', '0']).ms) });
const bundle = join(dist, 'server.mjs');
const variants: Variant[] = [];
if (dist === 'dist') {
  add({ 'bash scripts/build-if-changed.sh (up to date)': Array.from({ length: runs }, () => wall('bash', ['scripts/build-if-changed.sh']).ms) });
  variants.push({ label: 'npm start', command: 'npm', argv: ['start'] });
  variants.push({ label: `build-if-changed && node ${bundle}`, command: 'bash', argv: ['-c', `bash scripts/build-if-changed.sh && exec node ${bundle}`] });
}
variants.push({ label: `node ${mainJs}`, command: process.execPath, argv: [mainJs] });
// The bundle `npm start` runs (scripts/bundle-server.mjs).
if (!process.env.TROVE_STARTUP_MAIN && existsSync(join(ROOT, bundle))) variants.push({ label: `node ${bundle}`, command: process.execPath, argv: [bundle] });
add(await restarts(variants));
for (const fresh of [true, false]) {
  const existing = join(tempDir('trove-startup-'), 'data');
  const phasesOn = async (dataDir: string) =>
    JSON.parse(wall(process.execPath, ['bench/startup-phases.mjs', dist], { ...process.env, TROVE_DATA_DIR: dataDir, TROVE_HOST: '127.0.0.1', TROVE_PORT: String(await freePort()), TROVE_LOG_LEVEL: 'warn' }).stdout) as Record<string, number>;
  if (!fresh) await phasesOn(existing);
  const phases: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) phases.push(await phasesOn(fresh ? join(tempDir('trove-startup-'), 'data') : existing));
  for (const phase of ['nodeBeforeScript', 'loadModules', 'migrations', 'createTroveRest', 'listen']) {
    samples[`phase ${phase}, ${fresh ? 'fresh' : 'existing'} data folder`] = phases.map((p) => p[phase]);
  }
}
const width = Math.max(...Object.keys(samples).map((k) => k.length));
for (const [name, xs] of Object.entries(samples)) {
  console.log(`${name.padEnd(width)}  median ${median(xs).toFixed(0).padStart(5)} ms  min ${Math.min(...xs).toFixed(0).padStart(5)} ms  (${xs.length} runs)`);
}
for (const entry of variants.filter((v) => v.command === process.execPath).map((v) => v.argv[0])) {
  const files = await filesLoaded(entry);
  if (files) console.log(`files node ${entry} opens until the first answer: ${files.own} of the server, ${files.dependencies} under node_modules`);
}
