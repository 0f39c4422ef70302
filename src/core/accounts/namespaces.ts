import { sql } from 'kysely';
import { equalsIgnoringCase, startsWith } from '../../storage/db/like.js';
import type { Db, Tx } from '../../storage/db/database.js';
import { getRow } from '../../storage/db/row-lookup.js';
import { MAX_ROW_ID, type NamespacesTable } from '../../storage/db/schema.js';
import { errors } from '../errors.js';
import type { Group as GroupContract, Namespace as NamespaceContract } from '../../contracts/namespaces.js';
import { VISIBILITIES, type Visibility } from './access-levels.js';

export type Namespace = Omit<NamespacesTable, 'id'> & { id: number };

/** A reference from a URL: a numeric id or a (URL-decoded) full path. */
export function isNumericRef(ref: string): boolean {
  return /^\d+$/.test(ref);
}

/** Whether a number can be a row id at all (a larger one is no row, not a database error). */
export function isRowId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 0 && id <= MAX_ROW_ID;
}

export async function findNamespace(db: Db, ref: string | number): Promise<Namespace | undefined> {
  const query = db.selectFrom('namespaces').selectAll();
  if (typeof ref === 'number' || isNumericRef(ref)) return isRowId(Number(ref)) ? query.where('id', '=', Number(ref)).executeTakeFirst() : undefined;
  return query.where('full_path', '=', ref).executeTakeFirst();
}

export async function findGroup(db: Db, ref: string | number): Promise<Namespace | undefined> {
  const ns = await findNamespace(db, ref);
  return ns?.kind === 'group' ? ns : undefined;
}

/**
 * The namespace a project is in, and that namespace's chain up to the root, read once per project
 * row: one request asks for them in its permission check, the protection rules, the duplicate
 * settings and the audit scope, each a round trip on PostgreSQL. Keyed by the row object, so a
 * project read again (the next request, or after a transfer) reads its namespaces again; a read
 * that failed is not kept.
 */
const chainsOfProjectRows = new WeakMap<object, { namespaceId: number; chain: Promise<Namespace[]> }>();

export function namespaceChainOfProject(db: Db, project: { namespace_id: number }): Promise<Namespace[]> {
  const known = chainsOfProjectRows.get(project);
  if (known && known.namespaceId === project.namespace_id) return known.chain;
  const chain = getRow(db, 'namespaces', { id: project.namespace_id }).then((ns) => ancestorsOf(db, ns));
  chainsOfProjectRows.set(project, { namespaceId: project.namespace_id, chain });
  chain.catch(() => {
    if (chainsOfProjectRows.get(project)?.chain === chain) chainsOfProjectRows.delete(project);
  });
  return chain;
}

/** The namespace a project is in (read once per project row, as its chain). */
export async function namespaceOfProject(db: Db, project: { namespace_id: number }): Promise<Namespace> {
  return (await namespaceChainOfProject(db, project))[0]!;
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
 * Whether a group or project already has this full path, ignoring case (docs/architecture.md#bad-input-and-limits: `ACME` next to
 * `acme` is refused): groups and projects share one path space within their parent namespace.
 */
export async function fullPathTaken(db: Db, fullPath: string, except?: { table: 'namespaces' | 'projects'; id: number }): Promise<boolean> {
  const others = (table: 'namespaces' | 'projects') =>
    db
      .selectFrom(table)
      .select('id')
      .where(equalsIgnoringCase('full_path', fullPath))
      .where('id', '<>', except?.table === table ? except.id : 0);
  if (await others('namespaces').executeTakeFirst()) return true;
  return (await others('projects').executeTakeFirst()) !== undefined;
}

/**
 * Renames `oldPath` to `newPath` in the full paths of the namespace there (if any), every group and
 * project below it, in the caller's transaction (a group's path change or transfer).
 */
export async function moveFullPaths(tx: Tx, oldPath: string, newPath: string): Promise<void> {
  const renamed = sql<string>`${newPath} || substr(full_path, ${oldPath.length + 1})`;
  await tx.updateTable('namespaces').set({ full_path: renamed }).where(fullPathAtOrBelow('full_path', oldPath)).execute();
  await tx.updateTable('projects').set({ full_path: renamed }).where(fullPathAtOrBelow('full_path', oldPath)).execute();
}

export function assertVisibility(value: unknown): Visibility {
  if (value === undefined) return 'private';
  if (!VISIBILITIES.includes(value as Visibility)) throw errors.badRequest('visibility does not have a valid value');
  return value as Visibility;
}

export function groupToApi(ns: Namespace, baseUrl: string): GroupContract {
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

export function namespaceToApi(ns: Namespace, baseUrl: string): NamespaceContract {
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
