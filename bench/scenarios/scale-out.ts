import { join } from 'node:path';
import { freshDatabaseOn } from '../../test/support/test-database.js';
import { startTrove, tempDir, type RunningTrove } from '../../test/support/trove-process.js';
import type { BenchConfig } from '../config.js';
import { above, atLeast, figureOfRounds, type Figure, type Target } from '../figures.js';
import { MANY, BIG, seed } from '../fixtures.js';
import type { CpuUse } from '../cpu.js';
import { fileGetMeasured, publishMeasured, type Measured } from '../load.js';
import { startNginxBalancer, type StaticServer } from '../nginx.js';
import { run } from '../processes.js';
import { benchServerOn, startTroveServer, type BenchServer, type TroveBenchServer } from '../servers.js';

// Scale-out (docs/operations.md#scale-out-on-postgresql): publishes/s of concurrent publishers and
// GETs/s of a package document and a tarball, on the embedded default (one process, SQLite) and on
// PostgreSQL with 1, 2 and 3 Trove processes sharing one database and one blob folder behind
// Debian's nginx (round-robin, started here). All four setups run side by side for the whole row,
// and every round measures each of them once per figure, in an order reversed every other round,
// so that a ratio (median of the rounds' own ratios) compares measurements seconds apart on this
// shared machine. The embedded default is measured without a balancer, as it is deployed.
// Every server runs as in production: response contract checks off (the test suite turns them on).
// Per figure and setup, the row also logs how busy the machine was and the CPU milliseconds per
// request of Trove's processes, PostgreSQL's and the load generator's (cpu.ts): on a small machine
// they tell a figure bounded by its cores from one bounded by Trove.

const TROVE_ENV = { TROVE_LOG_LEVEL: 'warn', TROVE_CHECK_RESPONSE_CONTRACTS: '0' };
const ROOT_TOKEN = 'glpat-bench-scale-out-root-abcdefghij';
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const PROCESS_COUNTS = [1, 2, 3] as const;

/** One setup under test: where its npm registry is, as the publishers and readers see it. */
interface Setup {
  label: string;
  server: BenchServer;
  /** The Trove processes serving it. */
  pids: number[];
}

/** The PostgreSQL server of the test suite (scripts/postgres-test-server.sh) and a fresh database on it, dropped when this process ends. */
async function freshPostgresDatabase(): Promise<string> {
  const serverUrl = (await run('bash', [join(import.meta.dirname, '../../scripts/postgres-test-server.sh')])).trim();
  // test-database.ts drops this process's databases at exit on the server this variable names.
  process.env.TROVE_TEST_POSTGRES_URL = serverUrl;
  return freshDatabaseOn(serverUrl);
}

/** `count` Troves on one PostgreSQL database and one data (blob) folder, started one after the other. */
async function startPostgresTroves(databaseUrl: string, count: number): Promise<RunningTrove[]> {
  const dataDir = join(tempDir('trove-bench-scale-'), 'data');
  const troves: RunningTrove[] = [];
  for (let i = 0; i < count; i++) troves.push(await startTrove({ env: { ...TROVE_ENV, TROVE_DATABASE_URL: databaseUrl, TROVE_ROOT_TOKEN: ROOT_TOKEN }, dataDir }));
  return troves;
}

/** Each measurement publishes to fresh package names, so that every setup starts it from the same state. */
let measurement = 0;
function publishes(setup: Setup, publishers: number, total: number): Promise<Measured> {
  const round = measurement++;
  const packages = Array.from({ length: publishers }, (_, p) => `bench-scale-m${round}-p${p}`);
  return publishMeasured({ registry: setup.server.registry, token: setup.server.token, packages, versions: Math.max(1, Math.round(total / publishers)), cpuOfPids: setup.pids });
}

function reads(config: BenchConfig, setup: Setup, path: string, accept?: string): Promise<Measured> {
  const headers: Record<string, string> = { authorization: `Bearer ${setup.server.token}`, ...(accept ? { accept } : {}) };
  return fileGetMeasured({ url: `${setup.server.registry}${path}`, headers, connections: config.scaleOutReadConnections, seconds: config.loadSeconds, cpuOfPids: setup.pids });
}

/**
 * Where the two cores went per request in the measured rounds of one figure and setup: how busy
 * the machine was, and the CPU milliseconds per request of Trove's processes, PostgreSQL's and
 * the load generator's. Shows whether a figure is bounded by the machine rather than by Trove.
 */
function cpuLine(label: string, measured: Measured[]): string {
  const withCpu = measured.filter((m) => m.cpu);
  if (withCpu.length === 0) return `${label}: no CPU figures`;
  const requests = withCpu.reduce((sum, m) => sum + m.requests, 0);
  const perRequest = (pick: (cpu: CpuUse) => number) => ((1000 * withCpu.reduce((sum, m) => sum + pick(m.cpu!), 0)) / requests).toFixed(2);
  const busy = (100 * withCpu.reduce((sum, m) => sum + m.cpu!.machineBusy, 0)) / withCpu.length;
  // What the setup would do with every core busy at the same CPU per request: a setup that already
  // keeps the cores busy cannot pass another's ceiling by adding processes.
  const ceiling = withCpu.reduce((sum, m) => sum + m.rate / Math.max(0.01, m.cpu!.machineBusy), 0) / withCpu.length;
  return `${label}: machine ${busy.toFixed(0)} % busy (all cores busy: ${ceiling.toFixed(0)}/s); CPU ms per request: Trove ${perRequest((c) => c.processSeconds)}, PostgreSQL ${perRequest((c) => c.postgresSeconds)}, load generator ${perRequest((c) => c.loadSeconds)}`;
}

interface Metric {
  name: string;
  unit: string;
  measure: (setup: Setup) => Promise<Measured>;
  /** Targets of "N processes / embedded" by N. */
  againstEmbedded: Partial<Record<number, Target>>;
  /** From this many processes on, each added process must add throughput (reads: from 2; publishes: 3 must beat 2). */
  scalesFrom: number;
}

export async function scaleOut(config: BenchConfig, log: (line: string) => void): Promise<Figure[]> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const embedded: TroveBenchServer = await startTroveServer(TROVE_ENV);
    stops.push(embedded.stop);
    const databaseUrl = await freshPostgresDatabase();
    const troves = await startPostgresTroves(databaseUrl, Math.max(...PROCESS_COUNTS));
    for (const trove of troves) stops.push(async () => void (await trove.stop()));
    const first = await benchServerOn(troves[0]);
    const setups: Setup[] = [{ label: 'embedded', server: embedded, pids: [embedded.pid] }];
    for (const count of PROCESS_COUNTS) {
      const balancer: StaticServer = await startNginxBalancer(troves.slice(0, count).map((t) => `127.0.0.1:${t.port}`));
      stops.push(balancer.stop);
      const registry = `${balancer.base}/api/v4/projects/${first.projectId}/packages/npm/`;
      setups.push({ label: `${count}`, server: { ...first, base: balancer.base, registry }, pids: troves.slice(0, count).map((t) => t.process.pid!) });
    }
    log(`scale-out: embedded ${embedded.base}; PostgreSQL ${databaseUrl.replace(/\/[^/]*$/, '/…')}, processes ${troves.map((t) => t.port).join(', ')}, balancers ${setups.slice(1).map((s) => s.server.base).join(', ')}; seeding`);
    // The same packages on both databases, the PostgreSQL one through its 3-process balancer.
    await Promise.all([seed(embedded, config.manyVersions), seed(setups[3].server, config.manyVersions)]);

    const metrics: Metric[] = [
      ...config.scaleOutPublishers.map((publishers) => ({
        name: `publish, ${publishers} concurrent publishers`,
        unit: 'publish/s',
        measure: (setup: Setup) => publishes(setup, publishers, config.scaleOutPublishes),
        againstEmbedded: { 2: atLeast(0.5) },
        scalesFrom: 3,
      })),
      {
        name: `packument ${config.manyVersions}-version abbreviated GET, c=${config.scaleOutReadConnections}`,
        unit: 'req/s',
        measure: (setup: Setup) => reads(config, setup, MANY, ABBREVIATED),
        againstEmbedded: {},
        scalesFrom: 2,
      },
      {
        name: `tarball 100 KB GET, c=${config.scaleOutReadConnections}`,
        unit: 'req/s',
        measure: (setup: Setup) => reads(config, setup, `${BIG}/-/${BIG}-1.0.0.tgz`),
        againstEmbedded: {},
        scalesFrom: 2,
      },
    ];

    // samples[metric][setup]: one value per round (and where the CPU went meanwhile).
    const samples = metrics.map(() => setups.map(() => [] as number[]));
    const cpu = metrics.map(() => setups.map(() => [] as Measured[]));
    for (let round = -config.warmupRounds; round < config.scaleOutRounds; round++) {
      const order = round % 2 === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
      log(`scale-out round ${round < 0 ? 'warm-up' : round + 1}/${config.scaleOutRounds}`);
      for (const [m, metric] of metrics.entries()) {
        for (const s of order) {
          const value = await metric.measure(setups[s]);
          if (round >= 0) samples[m][s].push(value.rate);
          if (round >= 0) cpu[m][s].push(value);
        }
      }
    }

    for (const [m, metric] of metrics.entries()) {
      for (const [s, setup] of setups.entries()) log(cpuLine(`scale-out CPU: ${metric.name}, ${s === 0 ? 'embedded' : `PostgreSQL ${setup.label} process${s > 1 ? 'es' : ''}`}`, cpu[m][s]));
    }
    const figures: Figure[] = [];
    const name = (metric: Metric, count: number, baseline: string) => `scale-out: ${metric.name}, PostgreSQL ${count} process${count > 1 ? 'es' : ''} / ${baseline}`;
    for (const [m, metric] of metrics.entries()) {
      for (const count of PROCESS_COUNTS) {
        figures.push(figureOfRounds(name(metric, count, 'embedded'), metric.unit, { a: samples[m][count], b: samples[m][0] }, metric.againstEmbedded[count] ?? null, {}));
      }
      for (const count of PROCESS_COUNTS.filter((c) => c > 1)) {
        const target = count >= metric.scalesFrom ? above(1) : null;
        figures.push(figureOfRounds(name(metric, count, `${count - 1} process${count > 2 ? 'es' : ''}`), metric.unit, { a: samples[m][count], b: samples[m][count - 1] }, target, {}));
      }
    }
    return figures;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
