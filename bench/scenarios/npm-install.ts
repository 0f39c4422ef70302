import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTempDir } from '../../test/support/temp-dir.js';
import type { BenchConfig } from '../config.js';
import { abFigure, atMost, type Figure } from '../figures.js';
import { TREE_SIZE, treeName } from '../fixtures.js';
import { run } from '../processes.js';
import { startReplayRegistry } from '../replay-registry.js';
import type { BenchServer } from '../servers.js';

// `npm install` of the 20-package tree into an empty folder with a cold cache: the wall time a
// user waits. npm runs isolated (own HOME, userconfig and cache; none of the npm_* variables
// `npm run bench` exports), talking only to the server on 127.0.0.1.

function npmEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, HOME: home, npm_config_userconfig: join(home, '.npmrc'), npm_config_cache: join(home, 'npm-cache') };
}

async function timedInstall(server: BenchServer, home: string): Promise<number> {
  const registry = new URL(server.registry);
  writeFileSync(
    join(home, '.npmrc'),
    [`registry=${server.registry}`, `//${registry.host}${registry.pathname}:_authToken=${server.token}`, 'update-notifier=false', 'audit=false', 'fund=false', ''].join('\n'),
  );
  const project = join(home, 'app');
  await run('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, dependencies: { [treeName(0)]: '^1.0.0' } }));
  const started = process.hrtime.bigint();
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: project, env: npmEnv(home) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const installed = readdirSync(join(project, 'node_modules')).filter((name) => name.startsWith('bench-tree-')).length;
  if (installed !== TREE_SIZE) throw new Error(`npm install from ${server.name}: ${installed} of ${TREE_SIZE} packages installed`);
  return seconds;
}

/** One install in a fresh home, removed afterwards with its npm cache and node_modules. */
const installSeconds = (server: BenchServer) => withTempDir('trove-bench-install-', (home) => timedInstall(server, home));

/**
 * The install from Trove against the same install from a replay of Trove's answers from memory:
 * npm's own floor, what no server can beat. The target is ≤ 1.05× of it: Trove adds nothing
 * measurable to an install. (Against Verdaccio the install is npm-bound on both sides: the same
 * install from the replay was 0.84-1.05× of Verdaccio's, so a target below that, once ≤ 0.8×,
 * could not be met by any server; that row is reported without a target.)
 */
async function npmFloor(config: BenchConfig, trove: BenchServer): Promise<Figure> {
  const replay = await startReplayRegistry(trove);
  try {
    await installSeconds(replay); // records every answer once
    const recorded = replay.counts.recorded;
    const result = await abFigure(`npm install ${TREE_SIZE}-package tree: Trove / npm's floor (Trove's answers replayed from memory)`, 's', config, () => installSeconds(trove), () => installSeconds(replay), atMost(1.05));
    if (replay.counts.recorded !== recorded) throw new Error(`replay registry: ${replay.counts.recorded - recorded} answers were not replayed`);
    return { ...result, note: `${recorded} answers recorded once, ${replay.counts.replayed} replayed` };
  } finally {
    await replay.stop();
  }
}

export async function npmInstallTree(config: BenchConfig, trove: BenchServer, peer: BenchServer): Promise<Figure[]> {
  return [
    await abFigure(`npm install ${TREE_SIZE}-package tree, cold cache`, 's', config, () => installSeconds(trove), () => installSeconds(peer), null),
    await npmFloor(config, trove),
  ];
}
