import { resolve } from 'node:path';
import { configFrom } from './config.js';
import { figure, atMost, type Figure } from './figures.js';
import { seed } from './fixtures.js';
import { ensurePeerInstalled, startVerdaccio } from './peer.js';
import { peakRssOf } from './processes.js';
import { composerFigures } from './scenarios/composer.js';
import { cargoFigures } from './scenarios/cargo.js';
import { containerFigures } from './scenarios/containers.js';
import { goFigures } from './scenarios/go.js';
import { debianFigures } from './scenarios/debian.js';
import { mavenFigures } from './scenarios/maven.js';
import { rubygemsFigures } from './scenarios/rubygems.js';
import { auditScale } from './scenarios/audit-scale.js';
import { evidencePack } from './scenarios/evidence-pack.js';
import { npmInstallTree } from './scenarios/npm-install.js';
import { publishThroughput } from './scenarios/publish.js';
import { registryReads } from './scenarios/registry-reads.js';
import { scaleOut } from './scenarios/scale-out.js';
import { troveOnly } from './scenarios/trove-only.js';
import { startTroveServer, type BenchServer } from './servers.js';
import { machine, renderTable, writeResults } from './table.js';

// `npm run bench [-- --quick | --smoke] [--only=reads,publish,install,trove-only,audit-scale,maven,go,composer,rubygems,cargo,debian,containers,evidence-pack,scale-out]`
// (evidence-pack only runs when named: it writes and seals a log of its own; scale-out too: it
// starts a PostgreSQL server, four Troves and three nginx, and adds minutes to the full run)
// Trove against Verdaccio on this machine in this run; prints one table and writes
// bench/results/<date>-<mode>.json (or TROVE_BENCH_RESULTS_DIR).

const config = configFrom(process.argv.slice(2));
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() / 1000) | 0).toString().padStart(4)}s] ${line}\n`);
const has = (name: string) => config.scenarios.has(name);

async function sideBySide(figures: Figure[]): Promise<void> {
  let trove: BenchServer | undefined;
  let peer: BenchServer | undefined;
  try {
    trove = await startTroveServer();
    peer = await startVerdaccio();
    log(`trove ${trove.base} (pid ${trove.pid}), verdaccio ${peer.base} (pid ${peer.pid}); seeding both`);
    await Promise.all([seed(trove, config.manyVersions), seed(peer, config.manyVersions)]);
    if (has('reads')) {
      log('packument and tarball GETs');
      figures.push(...(await registryReads(config, trove, peer)));
    }
    if (has('publish')) {
      log('publish throughput');
      figures.push(...(await publishThroughput(config, trove, peer)));
    }
    if (has('install')) {
      log('npm install of the tree');
      figures.push(...(await npmInstallTree(config, trove, peer)));
    }
    // Peak RSS over everything above: the kernel's high-water mark of each server process.
    figures.push(figure('peak RSS of the server', 'MB', peakRssOf(trove.pid) / 2 ** 20, peakRssOf(peer.pid) / 2 ** 20, atMost(1)));
  } finally {
    await trove?.stop();
    await peer?.stop();
  }
}

const figures: Figure[] = [];
const started = performance.now();
log(`mode ${config.mode}, scenarios ${[...config.scenarios].join(', ')}; ${JSON.stringify(machine())}`);
// Verdaccio and the load generator (autocannon, also used by the Trove-only download figure).
if (has('reads') || has('publish') || has('install') || has('trove-only')) ensurePeerInstalled(log);
if (has('reads') || has('publish') || has('install')) await sideBySide(figures);
if (has('trove-only')) {
  log('Trove-only ratios');
  figures.push(...(await troveOnly(config, log)));
}
if (has('audit-scale')) {
  log(`audit at scale: ${config.auditEvents} events`);
  figures.push(...(await auditScale(config, log)));
}
if (has('evidence-pack')) {
  log(`evidence pack: ${config.auditEvents} events`);
  figures.push(...(await evidencePack(config, log)));
}
if (has('maven')) {
  log('Maven: mvn against Trove and nginx');
  figures.push(...(await mavenFigures(config, log)));
}
if (has('go')) {
  log('Go: go mod download from Trove, audit events on vs off');
  figures.push(...(await goFigures(config, log)));
}
if (has('composer')) {
  log('Composer: composer install from Trove, audit events on and off');
  figures.push(...(await composerFigures(config, log)));
}
if (has('rubygems')) {
  log('RubyGems: gem install from Trove, audit events on and off');
  figures.push(...(await rubygemsFigures(config, log)));
}
if (has('cargo')) {
  log('Cargo: cargo fetch from Trove, audit events on and off');
  figures.push(...(await cargoFigures(config, log)));
}
if (has('debian')) {
  log('Debian: apt-get from Trove, audit events on vs off');
  figures.push(...(await debianFigures(config, log)));
}
if (has('containers')) {
  log('containers: skopeo and manifest GETs against Trove and docker-registry');
  figures.push(...(await containerFigures(config, log)));
}
if (has('scale-out')) {
  log('scale-out: embedded against PostgreSQL with 1, 2 and 3 processes behind nginx');
  figures.push(...(await scaleOut(config, log)));
}
const seconds = (performance.now() - started) / 1000;
console.log(renderTable(figures, 'Verdaccio 6.8.0 / nginx / docker-registry (or off)'));
const file = writeResults(process.env.TROVE_BENCH_RESULTS_DIR ?? resolve(import.meta.dirname, 'results'), config.mode, figures, { seconds, config: { ...config, scenarios: [...config.scenarios] } });
log(`${figures.length} figures in ${seconds.toFixed(0)} s; written to ${file}`);
