import type { Selectable } from 'kysely';
import type { Queryable } from '../storage/db/database.js';
import type { ContainerManifestsTable, ContainerRepositoriesTable } from '../storage/db/schema.js';
import { isDigest } from './digests.js';

// What the /v2/ read endpoints and the writer look up. A manifest is found by tag or by digest.

export type ContainerRepositoryRow = Selectable<ContainerRepositoriesTable>;
export type ContainerManifestRow = Selectable<ContainerManifestsTable>;

export function findRepository(db: Queryable, name: string): Promise<ContainerRepositoryRow | undefined> {
  return db.selectFrom('container_repositories').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findManifest(db: Queryable, repositoryId: number, reference: string): Promise<ContainerManifestRow | undefined> {
  if (isDigest(reference)) {
    return db.selectFrom('container_manifests').selectAll().where('repository_id', '=', repositoryId).where('digest', '=', reference).executeTakeFirst();
  }
  return db
    .selectFrom('container_tags')
    .innerJoin('container_manifests', 'container_manifests.id', 'container_tags.manifest_id')
    .selectAll('container_manifests')
    .where('container_tags.repository_id', '=', repositoryId)
    .where('container_tags.name', '=', reference)
    .executeTakeFirst();
}

export function findBlobLink(db: Queryable, repositoryId: number, digest: string) {
  return db.selectFrom('container_repository_blobs').selectAll().where('repository_id', '=', repositoryId).where('digest', '=', digest).executeTakeFirst();
}

/** One page of names after `last`, in order, and whether more follow. */
export interface NamePage {
  names: string[];
  more: boolean;
}

export async function tagPage(db: Queryable, repositoryId: number, last: string | null, n: number | null): Promise<NamePage> {
  let query = db.selectFrom('container_tags').select('name').where('repository_id', '=', repositoryId).orderBy('name');
  if (last !== null) query = query.where('name', '>', last);
  if (n !== null) query = query.limit(n + 1);
  return pageOf((await query.execute()).map((r) => r.name), n);
}

/** The first `n` names, and whether the query (asked for n + 1) found more. */
function pageOf(names: string[], n: number | null): NamePage {
  // n=0 asks for nothing: an empty page with no next one (a next link needs a last name).
  return n !== null && n > 0 && names.length > n ? { names: names.slice(0, n), more: true } : { names: n === 0 ? [] : names, more: false };
}

export async function repositoryPage(db: Queryable, last: string | null, n: number | null): Promise<NamePage> {
  let query = db.selectFrom('container_repositories').select('name').orderBy('name');
  if (last !== null) query = query.where('name', '>', last);
  if (n !== null) query = query.limit(n + 1);
  return pageOf((await query.execute()).map((r) => r.name), n);
}

/** The manifests whose subject is `digest` (the OCI 1.1 referrers API), oldest first. */
export function referrersOf(db: Queryable, repositoryId: number, digest: string, artifactType: string | null): Promise<ContainerManifestRow[]> {
  let query = db.selectFrom('container_manifests').selectAll().where('repository_id', '=', repositoryId).where('subject_digest', '=', digest);
  if (artifactType !== null) query = query.where('artifact_type', '=', artifactType);
  return query.orderBy('id').execute();
}
