import { sql, type Expression } from 'kysely';
import type { Db } from '../../storage/db/database.js';
import { selectFixedShape } from '../../storage/db/row-lookup.js';
import { errors } from '../errors.js';
import { isAdmin, principalHasScope, type Principal } from '../tokens/principal.js';
import { AccessLevel } from './access-levels.js';
import { activeMembership, activeMembershipOn, todayUtc } from './member-expiry.js';
import { ancestorsOf, fullPathAtOrBelow, namespaceChainOfProject, subtreeNamespaceIds, type Namespace } from './namespaces.js';
import type { Project } from './projects.js';

// Authorization in one place. Two questions, in order:
//   1. may this principal know the project exists?  no -> 404 (401 for anonymous registry clients)
//   2. does the credential's scope and the caller's role allow the operation?  no -> 403

/**
 * `purge`: removing a deleted version before its restore window ends (it can no longer be
 * restored): owners and admins, through the REST API with a user's credential only.
 */
export type Operation = 'read' | 'publish' | 'delete' | 'purge';
/**
 * `registry`: package-manager endpoints; `api`: the REST API; `container_registry`: the OCI registry
 * (/v2/ and its token realm). Tokens carry different scopes for each.
 */
export type Surface = 'registry' | 'api' | 'container_registry';

/** The scopes that let a credential read, and write, on each client surface (write implies the reads a push needs). */
const CLIENT_SCOPES = {
  registry: { read: 'read_package_registry', write: 'write_package_registry' },
  container_registry: { read: 'read_registry', write: 'write_registry' },
} as const;

async function groupMemberLevel(db: Db, userId: number, chain: Namespace[]): Promise<number> {
  const ids = chain.map((ns) => ns.id);
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.max('access_level').as('level'))
    .where('source_type', '=', 'namespace')
    .where('source_id', 'in', ids)
    .where('user_id', '=', userId)
    .where(activeMembership)
    .executeTakeFirst();
  return Number(row?.level ?? 0);
}

/** A user's access level on a namespace: its own membership, inherited from ancestors, or ownership of a personal namespace. */
export async function userNamespaceLevel(db: Db, userId: number, isAdminUser: boolean, ns: Namespace): Promise<number> {
  if (isAdminUser) return AccessLevel.owner;
  if (ns.kind === 'user') return ns.owner_user_id === userId ? AccessLevel.owner : AccessLevel.none;
  return groupMemberLevel(db, userId, await ancestorsOf(db, ns));
}

/** A user's level on a project: a direct membership, one inherited from its groups, or owning its personal namespace (one query). */
export async function userProjectLevel(db: Db, userId: number, isAdminUser: boolean, project: Project): Promise<number> {
  if (isAdminUser) return AccessLevel.owner;
  const chain = await namespaceChainOfProject(db, project);
  const ns = chain[0]!;
  if (ns.kind === 'user' && ns.owner_user_id === userId) return AccessLevel.owner;
  const groupIds = ns.kind === 'group' ? chain.map((group) => group.id) : [];
  // Compiled once per depth of the group chain: every request of a user asks it.
  const [row] = await selectFixedShape(
    db,
    `user's project level, ${groupIds.length} groups`,
    () =>
      db
        .selectFrom('members')
        .select((eb) => eb.fn.max('access_level').as('level'))
        .where('user_id', '=', 0)
        .where(activeMembershipOn(''))
        .where((eb) => {
          const direct = eb.and([eb('source_type', '=', 'project'), eb('source_id', '=', 0)]);
          return groupIds.length === 0 ? direct : eb.or([direct, eb.and([eb('source_type', '=', 'namespace'), eb('source_id', 'in', groupIds)])]);
        }),
    [userId, todayUtc(), 'project', project.id, ...(groupIds.length === 0 ? [] : ['namespace', ...groupIds])],
  );
  return Number(row?.level ?? AccessLevel.none);
}

async function deployTokenCovers(db: Db, principal: Extract<Principal, { kind: 'deploy_token' }>, project: Project): Promise<boolean> {
  if (principal.token.owner_type === 'project') return principal.token.owner_id === project.id;
  return (await namespaceChainOfProject(db, project)).some((a) => a.id === principal.token.owner_id);
}

export interface ProjectAccess {
  visible: boolean;
  level: number;
}

/** Role level of the principal on the project, and whether it may know the project exists. */
export async function projectAccess(db: Db, principal: Principal, project: Project): Promise<ProjectAccess> {
  switch (principal.kind) {
    case 'anonymous':
      return { visible: project.visibility === 'public', level: AccessLevel.none };
    case 'user': {
      const level = await userProjectLevel(db, principal.user.id, principal.user.is_admin === 1, project);
      return { visible: level > AccessLevel.none || project.visibility !== 'private', level };
    }
    case 'job_token': {
      // A job token reaches only its own project, with the rights of the user who triggered the job.
      if (principal.token.project_id !== project.id) return { visible: false, level: AccessLevel.none };
      const level = await userProjectLevel(db, principal.user.id, principal.user.is_admin === 1, project);
      return { visible: level > AccessLevel.none || project.visibility !== 'private', level };
    }
    case 'deploy_token': {
      const covers = await deployTokenCovers(db, principal, project);
      return { visible: covers || project.visibility === 'public', level: covers ? AccessLevel.developer : AccessLevel.none };
    }
    case 'oidc':
      // An OIDC token (trusted publishing) acts at the developer level, on its own project only; every other project is unknown to it.
      return principal.token.project_id === project.id ? { visible: true, level: AccessLevel.developer } : { visible: false, level: AccessLevel.none };
  }
}

function scopeAllows(principal: Principal, operation: Operation, surface: Surface): boolean {
  switch (principal.kind) {
    case 'anonymous':
      return operation === 'read';
    case 'job_token':
      return operation !== 'purge';
    case 'oidc':
      // Trusted publishing publishes (with the reads a publish needs) through package and container
      // clients; it never deletes and never writes through the REST API.
      return operation === 'read' || (operation === 'publish' && surface !== 'api');
    case 'deploy_token': {
      // Deploy tokens speak only to package and container clients; write implies the reads a publish
      // needs. A container delete takes a maintainer, which a deploy token never is (roleAllows).
      if (surface === 'api') return false;
      const { read, write } = CLIENT_SCOPES[surface];
      if (operation === 'read') return principal.scopes.includes(read) || principal.scopes.includes(write);
      return principal.scopes.includes(write) && (operation === 'publish' || surface === 'container_registry');
    }
    case 'user': {
      if (principal.token === null || principal.scopes.includes('api')) return true;
      const has = (scope: string) => principalHasScope(principal, scope);
      if (surface === 'api') return operation === 'read' && has('read_api');
      const { read, write } = CLIENT_SCOPES[surface];
      // read_api reads packages and images too (GitLab's scope); the write scope publishes and deletes
      // (npm unpublish with write_package_registry, an image delete with write_registry).
      if (operation === 'read') return has('read_api') || has(read) || has(write);
      return has(write);
    }
  }
}

/** The scopes (space-separated, as OAuth's `scope`) that would allow the operation: for insufficient_scope. */
function scopesFor(operation: Operation, surface: Surface): string {
  if (surface === 'api') return operation === 'read' ? 'api read_api' : 'api';
  const { read, write } = CLIENT_SCOPES[surface];
  if (operation === 'read') return `${read} ${write} read_api api`;
  return operation === 'publish' || surface === 'container_registry' ? `${write} api` : 'api';
}

function roleAllows(principal: Principal, project: Project, level: number, operation: Operation): boolean {
  switch (operation) {
    case 'read':
      return (
        level >= AccessLevel.reporter ||
        project.visibility === 'public' ||
        (project.visibility === 'internal' && principal.kind !== 'anonymous' && principal.kind !== 'deploy_token')
      );
    case 'publish':
      return level >= AccessLevel.developer;
    case 'delete':
      return level >= AccessLevel.maintainer;
    case 'purge':
      return level >= AccessLevel.owner;
  }
}

/** Questions 1 and 2 above: 404 (401 for anonymous registry clients) if unseen, then the credential's scope. */
function assertVisibleAndScoped(principal: Principal, visible: boolean, notFound: string, operation: Operation, surface: Surface): void {
  if (!visible) {
    if (principal.kind === 'anonymous' && surface !== 'api') throw errors.unauthorized();
    throw errors.notFound(notFound);
  }
  if (!scopeAllows(principal, operation, surface)) {
    if (principal.kind === 'anonymous') throw errors.unauthorized();
    throw errors.insufficientScope(scopesFor(operation, surface));
  }
}

/** Throws the right 401/403/404 unless the principal may perform `operation` on the project's packages. */
export async function authorizeProject(db: Db, principal: Principal, project: Project, operation: Operation, surface: Surface): Promise<void> {
  const access = await projectAccess(db, principal, project);
  assertVisibleAndScoped(principal, access.visible, '404 Project Not Found', operation, surface);
  if (!roleAllows(principal, project, access.level, operation)) {
    if (principal.kind === 'anonymous') throw errors.unauthorized();
    throw errors.forbidden();
  }
}

/** REST endpoints other than packages need a user credential with api (writes) or read_api (reads). */
export function requireApiUser(principal: Principal, write: boolean): Extract<Principal, { kind: 'user' }> {
  if (principal.kind === 'anonymous') throw errors.unauthorized();
  const needed = write ? 'api' : 'api read_api';
  if (principal.kind !== 'user') throw errors.insufficientScope(needed);
  if (!principalHasScope(principal, 'api') && (write || !principalHasScope(principal, 'read_api'))) throw errors.insufficientScope(needed);
  return principal;
}

/**
 * Reads of groups and projects: without a credential the public ones are listed and shown (as in
 * GitLab, where an anonymous `GET /projects` is the public list); a credential must be an API user's.
 */
export function requireApiUserOrAnonymous(principal: Principal): void {
  if (principal.kind !== 'anonymous') requireApiUser(principal, false);
}

export function requireAdmin(principal: Principal): Extract<Principal, { kind: 'user' }> {
  const user = requireApiUser(principal, true);
  if (!isAdmin(principal)) throw errors.forbidden();
  return user;
}

/** Whether the principal may see the group at all (for 404 decisions on REST routes). */
export async function groupVisible(db: Db, principal: Principal, ns: Namespace): Promise<{ visible: boolean; level: number }> {
  if (principal.kind === 'deploy_token') {
    // A group deploy token sees its group and the groups below it (for group-level package reads).
    const covers = principal.token.owner_type === 'namespace' && (await ancestorsOf(db, ns)).some((a) => a.id === principal.token.owner_id);
    return { visible: covers || ns.visibility === 'public', level: AccessLevel.none };
  }
  // An OIDC token knows its own project only (readableProjectsBelow narrows group reads to it).
  if (principal.kind === 'anonymous' || principal.kind === 'oidc') return { visible: ns.visibility === 'public', level: AccessLevel.none };
  const user = principal.user;
  const level = await userNamespaceLevel(db, user.id, user.is_admin === 1, ns);
  if (level > AccessLevel.none || ns.visibility !== 'private') return { visible: true, level };
  // Members of a project or subgroup anywhere inside a private group can see the group too (as in GitLab).
  const subtree = await subtreeNamespaceIds(db, ns);
  const below = await db
    .selectFrom('members')
    .select('members.id')
    .where('members.user_id', '=', user.id)
    .where(activeMembership)
    .where((eb) =>
      eb.or([
        eb.and([eb('members.source_type', '=', 'namespace'), eb('members.source_id', 'in', subtree)]),
        eb.and([
          eb('members.source_type', '=', 'project'),
          eb('members.source_id', 'in', eb.selectFrom('projects').select('projects.id').where('projects.namespace_id', 'in', subtree)),
        ]),
      ]),
    )
    .executeTakeFirst();
  return { visible: below !== undefined, level };
}

/**
 * Throws the right 401/403/404 unless the principal may read what a group itself holds for package
 * clients (a group-level Debian distribution and its key): the group visible to it, and a credential
 * whose scope reads on the surface. Which packages it then sees is readableProjectsBelow's answer.
 */
export async function authorizeGroupRead(db: Db, principal: Principal, group: Namespace, surface: Surface): Promise<void> {
  assertVisibleAndScoped(principal, (await groupVisible(db, principal, group)).visible, '404 Group Not Found', 'read', surface);
}

/**
 * Projects in the group and its subgroups whose packages the principal may read, for group-level
 * views, by id: exactly those authorizeProject(principal, project, 'read', surface) lets through,
 * selected by one query (the conditions below restate projectAccess and roleAllows in SQL).
 */
export async function readableProjectsBelow(db: Db, principal: Principal, group: Namespace, surface: Surface): Promise<Project[]> {
  if (!scopeAllows(principal, 'read', surface)) return [];
  return db
    .withRecursive('chain(namespace_id, ancestor_id)', (qb) =>
      // Each namespace of the subtree with itself and every namespace above it (ancestorsOf, in SQL).
      qb
        .selectFrom('namespaces')
        .select(['id as namespace_id', 'id as ancestor_id'])
        .where(fullPathAtOrBelow('full_path', group.full_path))
        .unionAll((up) =>
          up
            .selectFrom('chain')
            .innerJoin('namespaces', 'namespaces.id', 'chain.ancestor_id')
            .select(['chain.namespace_id', sql<number>`namespaces.parent_id`.as('ancestor_id')])
            .where('namespaces.parent_id', 'is not', null),
        ),
    )
    .selectFrom('projects')
    .selectAll('projects')
    .where('projects.namespace_id', 'in', (eb) => eb.selectFrom('chain').select('chain.namespace_id'))
    .where((eb) => {
      /** The project's namespace or one above it is `namespace` (a group membership or token inherits down). */
      const withinNamespace = (namespace: Expression<number>) =>
        eb.exists(eb.selectFrom('chain').select('chain.ancestor_id').whereRef('chain.namespace_id', '=', 'projects.namespace_id').where('chain.ancestor_id', '=', namespace));
      /** userProjectLevel >= reporter: an active membership of the project, or of a group above it, or the personal namespace's owner. */
      const reporterOrAbove = (userId: number) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom('members')
              .select('members.id')
              .where('members.user_id', '=', userId)
              .where('members.access_level', '>=', AccessLevel.reporter)
              .where(activeMembershipOn(todayUtc()))
              .where((m) =>
                m.or([
                  m.and([m('members.source_type', '=', 'project'), m('members.source_id', '=', m.ref('projects.id'))]),
                  m.and([
                    m('members.source_type', '=', 'namespace'),
                    m.exists(m.selectFrom('namespaces as own').select('own.id').whereRef('own.id', '=', 'projects.namespace_id').where('own.kind', '=', 'group')),
                    m.exists(m.selectFrom('chain').select('chain.ancestor_id').whereRef('chain.namespace_id', '=', 'projects.namespace_id').whereRef('chain.ancestor_id', '=', 'members.source_id')),
                  ]),
                ]),
              ),
          ),
          eb.exists(
            eb.selectFrom('namespaces as own').select('own.id').whereRef('own.id', '=', 'projects.namespace_id').where('own.kind', '=', 'user').where('own.owner_user_id', '=', userId),
          ),
        ]);
      // A signed-in user reads public and internal projects, and private ones as a reporter or above.
      const userReads = (user: { id: number; is_admin: number }) =>
        user.is_admin === 1 ? eb.lit(true) : eb.or([eb('projects.visibility', 'in', ['public', 'internal']), reporterOrAbove(user.id)]);
      switch (principal.kind) {
        case 'anonymous':
          return eb('projects.visibility', '=', 'public');
        case 'user':
          return userReads(principal.user);
        case 'job_token':
          return eb.and([eb('projects.id', '=', principal.token.project_id), userReads(principal.user)]);
        case 'oidc':
          return eb('projects.id', '=', principal.token.project_id);
        case 'deploy_token': {
          const covers = principal.token.owner_type === 'project' ? eb('projects.id', '=', principal.token.owner_id) : withinNamespace(eb.val(principal.token.owner_id));
          return eb.or([covers, eb('projects.visibility', '=', 'public')]);
        }
      }
    })
    .orderBy('projects.id')
    .execute();
}
