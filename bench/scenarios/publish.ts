import type { BenchConfig } from '../config.js';
import { abFigure, atLeast, type Figure } from '../figures.js';
import { publishRate } from '../load.js';
import type { BenchServer } from '../servers.js';

// Publish throughput (auditing on, Trove's default): new versions one after the other, and
// several publishers at once. Every round publishes to fresh package names, so both servers
// start each round from the same state.

let roundCounter = 0;

function publishRateOf(server: BenchServer, publishers: number, versions: number, prefix: string): () => Promise<number> {
  return () => {
    const round = roundCounter++;
    const packages = Array.from({ length: publishers }, (_, p) => `${prefix}-r${round}-p${p}`);
    return publishRate({ registry: server.registry, token: server.token, packages, versions });
  };
}

export async function publishThroughput(config: BenchConfig, trove: BenchServer, peer: BenchServer): Promise<Figure[]> {
  const sequential = await abFigure(
    `publish ${config.sequentialPublishes} versions sequentially`,
    'publish/s',
    config,
    publishRateOf(trove, 1, config.sequentialPublishes, 'bench-seq'),
    publishRateOf(peer, 1, config.sequentialPublishes, 'bench-seq'),
    atLeast(2),
  );
  const concurrent = await abFigure(
    `publish, ${config.concurrentPublishers} concurrent publishers`,
    'publish/s',
    { rounds: config.concurrentPublishRounds, warmupRounds: config.warmupRounds },
    publishRateOf(trove, config.concurrentPublishers, config.publishesPerPublisher, 'bench-conc'),
    publishRateOf(peer, config.concurrentPublishers, config.publishesPerPublisher, 'bench-conc'),
    atLeast(2),
  );
  return [sequential, concurrent];
}
