// How big a run is. `--quick` must finish in under 3 minutes, the full run in under 20 (the issue);
// the Maven rows alone are 17 mvn runs in `--quick` (49 in the full run), each 3 s or more of
// JVM, so a `--quick` of every scenario takes longer than that (`--only=` the others does not).
// `--smoke` is the test suite's tiny run (both servers answer, the table is produced).

export type Mode = 'full' | 'quick' | 'smoke';

export interface BenchConfig {
  mode: Mode;
  /** A/B rounds per figure (the issue: at least 3, median reported). */
  rounds: number;
  /** Discarded A/B rounds before them (figures.ts, Rounds). */
  warmupRounds: number;
  /**
   * Discarded rounds before the first Trove-only publish figure, which runs on a Trove of its own,
   * started fresh: such a server kept speeding up over its first ~2000 publishes (trove-only.ts).
   */
  troveOnlyPublishWarmupRounds: number;
  /**
   * Rounds of the Trove-only on/off figures (publish with audit events, with a dead streaming
   * destination, tarball GETs with download events). Their ratios sit near their targets, and a
   * round's ratio moves by ±0.05-0.1 on this VM: five rounds' medians of the audit on/off ratio
   * ranged 0.83-0.91 where sixteen rounds' means ranged 0.88-0.90, and the download events row gave
   * 0.75 and 0.82 in two 5-round runs of one build (README, Benchmarks).
   */
  troveOnlyRounds: number;
  /** Trove-only publish figures: versions each side publishes per round, interleaved `troveOnlyPublishChunk` at a time. */
  troveOnlyPublishes: number;
  troveOnlyPublishChunk: number;
  /** Seconds of load per autocannon round. */
  loadSeconds: number;
  connections: number[];
  manyVersions: number;
  sequentialPublishes: number;
  concurrentPublishers: number;
  publishesPerPublisher: number;
  /**
   * Rounds of the concurrent publishers figure. A round is short (200 publishes: 0.3-0.5 s of
   * Trove, about a second of Verdaccio) and its ratio moved 1.82-2.45 from round to round, so the
   * median of 5 ranged 1.87-2.27 over four full runs of one morning, across its 2x target.
   */
  concurrentPublishRounds: number;
  genericUploadBytes: number;
  auditEvents: number;
  /** Maven rows: artifacts of the dependency tree mvn resolves, and modules of the reactor it deploys. */
  mavenTreeSize: number;
  mavenDeployModules: number;
  /**
   * Rounds of the Maven resolve row. A round is two mvn runs of 3-5 s whose wall times move by
   * ±15 % from run to run, around a difference between the servers of a few tenths of a second:
   * its 5 rounds in one run gave ratios 0.86-1.20 (median 1.10).
   */
  mavenResolveRounds: number;
  /** Go row: modules a consumer's `go mod download` fetches (from a cold module cache) per run. */
  goModules: number;
  /**
   * Rounds of the Go row. A round is two go runs of under a second each, whose ratio moved
   * 0.73-1.13 from round to round on a loaded 2-core VM (load average 11): more rounds are cheap.
   */
  goRounds: number;
  /** Composer row: packages in the set `composer install` installs from a group's repository. */
  composerPackages: number;
  /** RubyGems row: gems in the set gem install installs (one depending on all the others). */
  rubygemsSetSize: number;
  /** Cargo row: crates in the set cargo fetch downloads (one depending on all the others). */
  cargoSetSize: number;
  /** Containers rows: bytes of each of the image's 5 layers (incompressible, so also the bytes on the wire). */
  containerLayerBytes: number;
  /** Debian row: .debs apt-get downloads per round (each side). */
  debianPackages: number;
  /**
   * Scale-out row (`--only=scale-out`): rounds (each measures every setup once per figure, after
   * `warmupRounds`), the concurrent publisher counts, publishes per measurement (spread over the
   * publishers) and the connections of its read figures.
   */
  scaleOutRounds: number;
  scaleOutPublishers: number[];
  scaleOutPublishes: number;
  scaleOutReadConnections: number;
  scenarios: Set<string>;
}

export const ALL_SCENARIOS = ['reads', 'publish', 'install', 'trove-only', 'audit-scale', 'maven', 'go', 'composer', 'rubygems', 'cargo', 'debian', 'containers'] as const;

export function configFrom(argv: string[]): BenchConfig {
  const mode: Mode = argv.includes('--smoke') ? 'smoke' : argv.includes('--quick') ? 'quick' : 'full';
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const scenarios = new Set<string>(only ?? (mode === 'smoke' ? ['reads', 'publish', 'install'] : ALL_SCENARIOS));
  const sizes: Record<Mode, Omit<BenchConfig, 'mode' | 'scenarios'>> = {
    full: { rounds: 5, warmupRounds: 1, troveOnlyPublishWarmupRounds: 2, troveOnlyRounds: 15, troveOnlyPublishes: 1000, troveOnlyPublishChunk: 50, loadSeconds: 3, connections: [10, 50], manyVersions: 200, sequentialPublishes: 200, concurrentPublishers: 8, publishesPerPublisher: 25, concurrentPublishRounds: 15, genericUploadBytes: 2 ** 30, auditEvents: 1_000_000, mavenTreeSize: 30, mavenDeployModules: 50, mavenResolveRounds: 15, goModules: 20, goRounds: 15, composerPackages: 20, rubygemsSetSize: 20, cargoSetSize: 20, debianPackages: 20, containerLayerBytes: 10 * 2 ** 20, scaleOutRounds: 5, scaleOutPublishers: [8, 32], scaleOutPublishes: 256, scaleOutReadConnections: 32 },
    quick: { rounds: 3, warmupRounds: 0, troveOnlyPublishWarmupRounds: 1, troveOnlyRounds: 3, troveOnlyPublishes: 100, troveOnlyPublishChunk: 10, loadSeconds: 1, connections: [10, 50], manyVersions: 200, sequentialPublishes: 40, concurrentPublishers: 8, publishesPerPublisher: 5, concurrentPublishRounds: 3, genericUploadBytes: 256 * 2 ** 20, auditEvents: 100_000, mavenTreeSize: 30, mavenDeployModules: 50, mavenResolveRounds: 3, goModules: 20, goRounds: 7, composerPackages: 20, rubygemsSetSize: 20, cargoSetSize: 20, debianPackages: 20, containerLayerBytes: 10 * 2 ** 20, scaleOutRounds: 3, scaleOutPublishers: [8, 32], scaleOutPublishes: 64, scaleOutReadConnections: 32 },
    smoke: { rounds: 1, warmupRounds: 0, troveOnlyPublishWarmupRounds: 0, troveOnlyRounds: 1, troveOnlyPublishes: 4, troveOnlyPublishChunk: 2, loadSeconds: 1, connections: [10], manyVersions: 3, sequentialPublishes: 3, concurrentPublishers: 2, publishesPerPublisher: 2, concurrentPublishRounds: 1, genericUploadBytes: 2 ** 20, auditEvents: 1000, mavenTreeSize: 4, mavenDeployModules: 3, mavenResolveRounds: 1, goModules: 3, goRounds: 1, composerPackages: 3, rubygemsSetSize: 3, cargoSetSize: 3, debianPackages: 3, containerLayerBytes: 256 * 2 ** 10, scaleOutRounds: 1, scaleOutPublishers: [8, 32], scaleOutPublishes: 32, scaleOutReadConnections: 8 },
  };
  return { mode, scenarios, ...sizes[mode] };
}
