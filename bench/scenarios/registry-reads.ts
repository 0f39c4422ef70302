import type { BenchConfig } from '../config.js';
import { abFigure, atLeast, type Figure } from '../figures.js';
import { BIG, MANY, ONE } from '../fixtures.js';
import { fileGetRate, getRate } from '../load.js';
import { authHeader, type BenchServer } from '../servers.js';

// Reads under load: package documents (full and abbreviated, as `npm install` asks for them) and
// a ~100 KB tarball, requests/s of each server measured alternately.

const ACCEPT = {
  full: 'application/json',
  abbreviated: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*',
} as const;

export async function registryReads(config: BenchConfig, trove: BenchServer, peer: BenchServer): Promise<Figure[]> {
  const figures: Figure[] = [];
  const rate = (server: BenchServer, path: string, accept: string, connections: number) => () =>
    getRate({ url: `${server.registry}${path}`, headers: { ...authHeader(server), accept }, connections, seconds: config.loadSeconds });
  const packages = [
    { name: ONE, label: '1-version', target: 3 },
    { name: MANY, label: `${config.manyVersions}-version`, target: 5 },
  ];
  for (const pkg of packages) {
    for (const [form, accept] of Object.entries(ACCEPT)) {
      for (const connections of config.connections) {
        figures.push(
          await abFigure(`packument ${pkg.label} ${form}, c=${connections}`, 'req/s', config, rate(trove, pkg.name, accept, connections), rate(peer, pkg.name, accept, connections), atLeast(pkg.target)),
        );
      }
    }
  }
  const tarball = (server: BenchServer) => () =>
    fileGetRate({ url: `${server.registry}${BIG}/-/${BIG}-1.0.0.tgz`, headers: authHeader(server), connections: 10, seconds: config.loadSeconds });
  figures.push(await abFigure('tarball 100 KB, c=10', 'req/s', config, tarball(trove), tarball(peer), atLeast(2)));
  return figures;
}
