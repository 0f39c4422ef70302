import type { Readable } from 'node:stream';
import type { Queryable } from '../storage/db/database.js';
import type { ContainerRepositoryRow } from './registry-reads.js';

// What GitLab's registry REST API and the web UI read: repositories of projects, a repository's
// tags with the manifest each points at (size, platforms, who pointed it there) and every digest a
// tag has pointed to. The /v2/ reads are in registry-reads.ts.

export interface RepositoryPage {
  rows: ContainerRepositoryRow[];
  total: number;
}

export async function repositoriesOf(db: Queryable, projectIds: readonly number[], limit: number, offset: number): Promise<RepositoryPage> {
  if (projectIds.length === 0) return { rows: [], total: 0 };
  const counted = await db.selectFrom('container_repositories').select((eb) => eb.fn.countAll<string | number>().as('n')).where('project_id', 'in', projectIds).executeTakeFirst();
  const rows = await db.selectFrom('container_repositories').selectAll().where('project_id', 'in', projectIds).orderBy('name').limit(limit).offset(offset).execute();
  return { rows, total: Number(counted?.n ?? 0) };
}

export function repositoryById(db: Queryable, id: number): Promise<ContainerRepositoryRow | undefined> {
  return db.selectFrom('container_repositories').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The number of tags of each repository (repositories without tags are absent). */
export async function tagCounts(db: Queryable, repositoryIds: readonly number[]): Promise<Map<number, number>> {
  if (repositoryIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('container_tags')
    .select(['repository_id', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('repository_id', 'in', repositoryIds)
    .groupBy('repository_id')
    .execute();
  return new Map(rows.map((r) => [r.repository_id, Number(r.n)]));
}

/** A tag and the manifest it points at. `updated_by` is the stamp (PublishedBy JSON) of whoever pointed it there. */
export interface TagRow {
  name: string;
  updated_by: string;
  updated_at: string;
  manifest_id: number;
  digest: string;
  media_type: string;
  config_digest: string | null;
  platforms: string | null;
  manifest_pushed_at: string;
  /** The tag_history row of its last move: orders tags by when they were pointed, ties of the clock included. */
  pointed_seq: number;
}

/** Every tag of the repository, by name (`name` only: that one tag). */
export async function tagsOf(db: Queryable, repositoryId: number, name?: string): Promise<TagRow[]> {
  let query = db
    .selectFrom('container_tags')
    .innerJoin('container_manifests', 'container_manifests.id', 'container_tags.manifest_id')
    .select([
      'container_tags.name',
      'container_tags.updated_by',
      'container_tags.updated_at',
      'container_tags.manifest_id',
      'container_manifests.digest',
      'container_manifests.media_type',
      'container_manifests.config_digest',
      'container_manifests.platforms',
      'container_manifests.pushed_at as manifest_pushed_at',
      (eb) =>
        eb
          .selectFrom('container_tag_history')
          .select((h) => h.fn.max('container_tag_history.id').as('seq'))
          .whereRef('container_tag_history.repository_id', '=', 'container_tags.repository_id')
          .whereRef('container_tag_history.tag', '=', 'container_tags.name')
          .as('pointed_seq'),
    ])
    .where('container_tags.repository_id', '=', repositoryId);
  if (name !== undefined) query = query.where('container_tags.name', '=', name);
  const rows = await query.orderBy('container_tags.name').execute();
  return rows.map((r) => ({ ...r, pointed_seq: Number(r.pointed_seq ?? 0) }));
}

/**
 * The bytes an image takes: its manifest, config and layers; an index's, its own manifest and its
 * children's totals. Keyed by manifest id, for every manifest of the repository (three queries).
 */
export async function totalSizes(db: Queryable, repositoryId: number): Promise<Map<number, number>> {
  const manifests = await db.selectFrom('container_manifests').select(['id', 'digest', 'size']).where('repository_id', '=', repositoryId).execute();
  const blobs = await db.selectFrom('container_repository_blobs').select(['digest', 'size']).where('repository_id', '=', repositoryId).execute();
  const references = await db
    .selectFrom('container_manifest_references')
    .innerJoin('container_manifests', 'container_manifests.id', 'container_manifest_references.manifest_id')
    .select(['container_manifest_references.manifest_id', 'container_manifest_references.kind', 'container_manifest_references.digest'])
    .where('container_manifests.repository_id', '=', repositoryId)
    .execute();
  const blobSize = new Map(blobs.map((b) => [b.digest, Number(b.size)]));
  const manifestByDigest = new Map(manifests.map((m) => [m.digest, m]));
  const totals = new Map<number, number>();
  const totalOf = (id: number, size: number, depth: number): number => {
    const known = totals.get(id);
    if (known !== undefined) return known;
    let total = size;
    for (const ref of references.filter((r) => r.manifest_id === id)) {
      const child = manifestByDigest.get(ref.digest);
      if (ref.kind === 'manifest' && child && depth < 4) total += totalOf(child.id, Number(child.size), depth + 1);
      else total += blobSize.get(ref.digest) ?? 0;
    }
    totals.set(id, total);
    return total;
  };
  for (const m of manifests) totalOf(m.id, Number(m.size), 0);
  return totals;
}

/** The bytes the repository holds, each blob and manifest once (GitLab's `size`). */
export async function repositorySize(db: Queryable, repositoryId: number): Promise<number> {
  const blobs = await db.selectFrom('container_repository_blobs').select((eb) => eb.fn.sum<string | number | null>('size').as('n')).where('repository_id', '=', repositoryId).executeTakeFirst();
  const manifests = await db.selectFrom('container_manifests').select((eb) => eb.fn.sum<string | number | null>('size').as('n')).where('repository_id', '=', repositoryId).executeTakeFirst();
  return Number(blobs?.n ?? 0) + Number(manifests?.n ?? 0);
}

/** Where a tag has pointed, newest first, with who moved it there (the stamp JSON). */
export function tagHistory(db: Queryable, repositoryId: number, tag: string) {
  return db
    .selectFrom('container_tag_history')
    .select(['id', 'digest', 'pushed_by', 'pushed_at'])
    .where('repository_id', '=', repositoryId)
    .where('tag', '=', tag)
    .orderBy('id', 'desc')
    .execute();
}

type Platform = { os?: unknown; architecture?: unknown; variant?: unknown };

function platformName(p: Platform): string | null {
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return null;
  return [p.os, p.architecture, typeof p.variant === 'string' ? p.variant : null].filter((x) => x !== null).join('/');
}

/** A config blob bigger than this is not read for its platform (configs are a few kB). */
const MAX_CONFIG_BYTES = 1024 * 1024;

async function readSmall(stream: Readable): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONFIG_BYTES) {
      stream.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The platforms (`linux/amd64`, `linux/arm64/v8`) of a manifest: an index's children's, as it
 * lists them; an image's, from its config blob (os, architecture, variant). Empty when unknown.
 */
export async function platformsOf(db: Queryable, open: (sha256: string) => Promise<Readable>, repositoryId: number, tag: Pick<TagRow, 'platforms' | 'config_digest'>): Promise<string[]> {
  if (tag.platforms !== null) {
    return (JSON.parse(tag.platforms) as Platform[]).map(platformName).filter((p): p is string => p !== null);
  }
  if (tag.config_digest === null) return [];
  const link = await db.selectFrom('container_repository_blobs').select(['blob_sha256', 'size']).where('repository_id', '=', repositoryId).where('digest', '=', tag.config_digest).executeTakeFirst();
  if (!link || Number(link.size) > MAX_CONFIG_BYTES) return [];
  try {
    const bytes = await readSmall(await open(link.blob_sha256));
    const name = bytes ? platformName(JSON.parse(bytes.toString('utf8')) as Platform) : null;
    return name ? [name] : [];
  } catch {
    return [];
  }
}
