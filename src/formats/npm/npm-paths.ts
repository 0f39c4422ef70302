import { splitNamePath } from './npm-names.js';

// What a path below /packages/npm/ addresses. npm sends scoped names as "@scope%2fname"
// (Fastify has decoded that to "@scope/name" by the time we see it).
export type NpmPath =
  | { kind: 'whoami' }
  | { kind: 'dist-tags'; name: string; tag: string | null }
  | { kind: 'packument'; name: string }
  | { kind: 'version'; name: string; spec: string }
  | { kind: 'tarball'; name: string; fileName: string }
  | { kind: 'revision'; name: string }
  | { kind: 'tarball-revision'; name: string; fileName: string }
  | { kind: 'attestations'; name: string; version: string }
  | { kind: 'unknown' };

export function parseNpmPath(rest: string): NpmPath {
  // npm unpublish DELETEs `new URL(dist.tarball).pathname` relative to the registry URL,
  // which repeats the registry's own path: strip it.
  rest = rest.replace(/^api\/v4\/projects\/[^/]+\/packages\/npm\//, '');
  if (rest === '-/whoami') return { kind: 'whoami' };
  const distTags = /^-\/package\/(.+?)\/dist-tags(?:\/(.+?))?\/?$/.exec(rest);
  if (distTags) return { kind: 'dist-tags', name: distTags[1], tag: distTags[2] ?? null };
  // Provenance of one version (`dist.attestations.url`): `<name>@<version>`, the name possibly scoped.
  const attestations = /^-\/npm\/v1\/attestations\/(@?[^@]+)@([^@/]+)$/.exec(rest.replace(/%2f/i, '/'));
  if (attestations) return { kind: 'attestations', name: attestations[1], version: attestations[2] };
  if (rest.startsWith('-/')) return { kind: 'unknown' };
  const { name, tail } = splitNamePath(rest);
  if (!name) return { kind: 'unknown' };
  if (tail.length === 0) return { kind: 'packument', name };
  if (tail.length === 1 && tail[0] !== '-') return { kind: 'version', name, spec: tail[0] };
  if (tail.length === 2 && tail[0] === '-rev') return { kind: 'revision', name };
  if (tail.length === 2 && tail[0] === '-') return { kind: 'tarball', name, fileName: tail[1] };
  if (tail.length === 4 && tail[0] === '-' && tail[2] === '-rev') return { kind: 'tarball-revision', name, fileName: tail[1] };
  return { kind: 'unknown' };
}
