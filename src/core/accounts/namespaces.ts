import { sql } from 'kysely';
import { equalsIgnoringCase, startsWith } from '../../storage/db/like.js';
import type { Db } from '../../storage/db/database.js';
import { getRow } from '../../storage/db/row-lookup.js';
import type { NamespacesTable } from '../../storage/db/schema.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import { VISIBILITIES, type Visibility } from './access-levels.js';
import { assertValidName, assertValidPath } from './paths.js';

export type Namespace = Omit<NamespacesTable, 'id'> & { id: number };

/** A reference from a URL: a numeric id or a (URL-decoded) full path. */
export function isNumericRef(ref: string): boolean {
  return /^\d+$/.test(ref);
}

export async function findNamespace(db: Db, ref: string | number): Promise<Namespace | undefined> {
  const query = db.selectFrom('namespaces').selectAll();
  if (typeof ref === 'number' || isNumericRef(ref)) return query.where('id', '=', Number(ref)).executeTakeFirst();
  return query.where('full_path', '=', ref).executeTakeFirst();
}

export async function findGroup(db: Db, ref: string | number): Promise<Namespace | undefined> {
  const ns = await findNamespace(db, ref);
  return ns?.kind === 'group' ? ns : undefined;
}

/** The namespace itself first, then its parent, up to the root. */
export async function ancestorsOf(db: Db, ns: Namespace): Promise<Namespace[]> {
  const chain = [ns];
  let current = ns;
  while (current.parent_id !== null) {
    const parent = await getRow(db, 'namespaces', { id: current.parent_id });
    chain.push(parent);
    current = parent;
  }
  return chain;
}

/** SQL condition "full_path is `path` or below it". */
export function fullPathAtOrBelow(column: string, path: string) {
  return sql<boolean>`(${sql.ref(column)} = ${path} or ${startsWith(column, `${path}/`)})`;
}

/** Ids of the namespace and all its descendants. */
export async function subtreeNamespaceIds(db: Db, ns: Namespace): Promise<number[]> {
  const rows = await db.selectFrom('namespaces').select('id').where(fullPathAtOrBelow('full_path', ns.full_path)).execute();
  return rows.map((r) => r.id);
}

/**
 * Whether a group or project already has this full path, ignoring case (SPEC 7: `ACME` next to
 * `acme` is refused): groups and projects share one path space within their parent namespace.
 */
export async function fullPathTaken(db: Db, fullPath: string): Promise<boolean> {
  const group = await db.selectFrom('namespaces').select('id').where(equalsIgnoringCase('full_path', fullPath)).executeTakeFirst();
  if (group) return true;
  const project = await db.selectFrom('projects').select('id').where(equalsIgnoringCase('full_path', fullPath)).executeTakeFirst();
  return project !== undefined;
}

export function assertVisibility(value: unknown): Visibility {
  if (value === undefined) return 'private';
  if (!VISIBILITIES.includes(value as Visibility)) throw errors.badRequest('visibility does not have a valid value');
  return value as Visibility;
}

export interface NewGroup {
  name: string;
  path: string;
  parentId: number | null;
  visibility?: Visibility;
  description?: string;
}

export async function createGroup(db: Db, input: NewGroup): Promise<Namespace> {
  const name = assertValidName(input.name, 'name');
  const path = assertValidPath(input.path, 'path');
  const visibility = assertVisibility(input.visibility);
  return db.transaction().execute(async (tx) => {
    let fullPath = path;
    if (input.parentId !== null) {
      const parent = await tx.selectFrom('namespaces').selectAll().where('id', '=', input.parentId).executeTakeFirst();
      if (!parent || parent.kind !== 'group') throw errors.notFound('404 Parent Group Not Found');
      fullPath = `${parent.full_path}/${path}`;
    }
    if (await fullPathTaken(tx, fullPath)) throw errors.badRequest('Failed to save group {:path=>["has already been taken"]}');
    return tx
      .insertInto('namespaces')
      .values({
        kind: 'group',
        name,
        path,
        full_path: fullPath,
        parent_id: input.parentId,
        owner_user_id: null,
        visibility,
        description: input.description ?? '',
        package_audit_events: 'inherit',
        package_download_events: 'inherit',
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function groupToApi(ns: Namespace, baseUrl: string) {
  return {
    id: ns.id,
    name: ns.name,
    path: ns.path,
    full_name: ns.full_path.split('/').join(' / '),
    full_path: ns.full_path,
    description: ns.description,
    visibility: ns.visibility,
    parent_id: ns.parent_id,
    web_url: `${baseUrl}/groups/${ns.full_path}`,
    created_at: ns.created_at,
  };
}

export function namespaceToApi(ns: Namespace, baseUrl: string) {
  return {
    id: ns.id,
    name: ns.name,
    path: ns.path,
    kind: ns.kind,
    full_path: ns.full_path,
    parent_id: ns.parent_id,
    web_url: ns.kind === 'group' ? `${baseUrl}/groups/${ns.full_path}` : `${baseUrl}/${ns.full_path}`,
  };
}
