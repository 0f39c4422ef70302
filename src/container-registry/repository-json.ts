import type { Readable } from 'node:stream';
import type { ContainerRepository, ContainerTag, ContainerTagHistoryEntry, ContainerTagSummary } from '../contracts/container-registry.js';
import type { PublishedBy } from '../contracts/actors.js';
import type { Queryable } from '../storage/db/database.js';
import type { ContainerRepositoryRow } from './registry-reads.js';
import { platformsOf, tagHistory, totalSizes, type TagRow } from './repository-reads.js';

// The REST API's JSON for repositories and tags (src/contracts/container-registry.ts), built from
// the rows repository-reads.ts returns. `host` is where clients pull from: Trove serves /v2/ on its
// own host and port.

export interface RegistryJsonEnv {
  db: Queryable;
  host: string;
  open: (sha256: string) => Promise<Readable>;
}

const stamp = (json: string) => JSON.parse(json) as PublishedBy;

export function repositoryJson(env: RegistryJsonEnv, row: ContainerRepositoryRow, imagePathOf: (row: ContainerRepositoryRow) => string): ContainerRepository {
  return {
    id: row.id,
    name: imagePathOf(row),
    path: row.name,
    project_id: row.project_id,
    location: `${env.host}/${row.name}`,
    created_at: row.created_at,
    cleanup_policy_started_at: null,
    status: null,
    created_by: stamp(row.created_by),
  };
}

export function tagSummary(env: RegistryJsonEnv, repository: ContainerRepositoryRow, name: string): ContainerTagSummary {
  return { name, path: `${repository.name}:${name}`, location: `${env.host}/${repository.name}:${name}` };
}

async function tagJson(env: RegistryJsonEnv, repository: ContainerRepositoryRow, tag: TagRow, sizes: Map<number, number>): Promise<ContainerTag> {
  const revision = (tag.config_digest ?? tag.digest).replace(/^[^:]+:/, '');
  return {
    ...tagSummary(env, repository, tag.name),
    revision,
    short_revision: revision.slice(0, 9),
    digest: tag.digest,
    created_at: tag.updated_at,
    total_size: sizes.get(tag.manifest_id) ?? 0,
    media_type: tag.media_type,
    platforms: await platformsOf(env.db, env.open, repository.id, tag),
    pushed_by: stamp(tag.updated_by),
  };
}

/** These tags of the repository (rows of tagsOf) with their images. */
export async function tagsJson(env: RegistryJsonEnv, repository: ContainerRepositoryRow, rows: readonly TagRow[]): Promise<ContainerTag[]> {
  if (rows.length === 0) return [];
  const sizes = await totalSizes(env.db, repository.id);
  const out: ContainerTag[] = [];
  for (const row of rows) out.push(await tagJson(env, repository, row, sizes));
  return out;
}

export async function tagHistoryJson(env: RegistryJsonEnv, repository: ContainerRepositoryRow, tag: string): Promise<ContainerTagHistoryEntry[]> {
  return (await tagHistory(env.db, repository.id, tag)).map((h) => ({ id: h.id, digest: h.digest, pushed_at: h.pushed_at, pushed_by: stamp(h.pushed_by) }));
}
