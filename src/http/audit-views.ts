import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../core/accounts/access-levels.js';
import { subtreeNamespaceIds } from '../core/accounts/namespaces.js';
import { requireAdmin, requireApiUser } from '../core/accounts/permissions.js';
import { TOKEN_TYPES, VIA, type AuditView } from '../core/audit/audit-query.js';
import { ACTIVITY_KINDS } from '../contracts/activity-kinds.js';
import { INSTANCE_SCOPE, namespaceScope, projectScope, userScope } from '../core/audit/audit-scope.js';
import type { AuditScope } from '../core/audit/audit-types.js';
import { userWhoseEventsMayBeRead } from '../core/audit/user-audit-view.js';
import { errors } from '../core/errors.js';
import type { AppContext } from './app-context.js';
import { idParam, visibleGroup, visibleProject } from './loaders.js';
import { flagValue, isoTimestamp, oneOf, queryFlag } from './pagination.js';

/**
 * The audit filters (docs/api.md#audit-events), for the query schemas of the list and export routes. Those with a
 * fixed list or shape are refused by the schema; the others are text the filter parser checks
 * itself (core/audit/audit-query.ts parseAuditFilters, with its own messages). event_name repeats.
 */
export const AUDIT_FILTER_QUERY = {
  via: oneOf(VIA),
  outcome: oneOf(['success', 'failure']),
  token_type: oneOf(['', ...TOKEN_TYPES]),
  author: Type.String({ maxLength: 255 }),
  created_after: isoTimestamp,
  created_before: isoTimestamp,
  include_subgroups: queryFlag,
  event_name: Type.Array(Type.String()),
  'event_name[]': Type.Array(Type.String()),
  event_kind: oneOf(ACTIVITY_KINDS),
  author_id: Type.String(),
  author_username: Type.String(),
  token_id: Type.String(),
  package_name: Type.String(),
  package_format: Type.String(),
  project_id: Type.String(),
};

// Which slice of the audit log a request may read (docs/architecture.md#scope-and-visibility), shared by the list, single-event
// and export endpoints so that they can never disagree: admins see the instance; group owners
// all of a group's events, project maintainers all of a project's; developers (and group
// maintainers) only their own actions; reporters nothing (403); others do not learn it exists (404).
// A user's own view: the events stored on them (account, sign-in, personal tokens, namespace
// settings), for that user and for admins (a deleted user's too).

export interface ResolvedView {
  view: AuditView;
  /** Set when the caller may see only their own actions (developers, maintainers of a group). */
  onlyAuthorId?: number;
  /** Where an event about this view (an export) is stored, and what it is called. */
  scope: AuditScope;
  project: { id: number; full_path: string } | null;
  label: string;
  includeSubgroups: boolean;
}

export async function instanceView(request: FastifyRequest): Promise<ResolvedView> {
  requireAdmin(request.principal);
  return { view: { kind: 'instance' }, scope: INSTANCE_SCOPE, project: null, label: 'instance', includeSubgroups: false };
}

/** A request to one group's, project's or user's audit events: `:id` names it. */
export type ViewRequest = FastifyRequest & { params: { id: string } };

/** A group's events; with include_subgroups (a queryFlag), its subgroups' too. */
export async function groupView(ctx: AppContext, request: ViewRequest, include_subgroups: string | undefined): Promise<ResolvedView> {
  const principal = requireApiUser(request.principal, false);
  const { group, level } = await visibleGroup(ctx, request, request.params.id);
  if (level < AccessLevel.developer) throw errors.forbidden();
  const includeSubgroups = flagValue(include_subgroups) === true;
  const groupIds = includeSubgroups ? await subtreeNamespaceIds(ctx.db, group) : [group.id];
  return {
    view: { kind: 'groups', groupIds },
    onlyAuthorId: level >= AccessLevel.owner ? undefined : principal.user.id,
    scope: namespaceScope(group),
    project: null,
    label: group.full_path,
    includeSubgroups,
  };
}

export async function projectView(ctx: AppContext, request: ViewRequest): Promise<ResolvedView> {
  const principal = requireApiUser(request.principal, false);
  const { project, namespace, level } = await visibleProject(ctx, request, request.params.id);
  if (level < AccessLevel.developer) throw errors.forbidden();
  return {
    view: { kind: 'project', projectId: project.id },
    onlyAuthorId: level >= AccessLevel.maintainer ? undefined : principal.user.id,
    scope: projectScope(project, namespace),
    project: { id: project.id, full_path: project.full_path },
    label: project.full_path,
    includeSubgroups: false,
  };
}

export async function userView(ctx: AppContext, request: ViewRequest): Promise<ResolvedView> {
  const principal = requireApiUser(request.principal, false);
  const user = await userWhoseEventsMayBeRead(ctx.db, principal, idParam(request.params.id, 'User'));
  if (!user) throw errors.notFound('404 User Not Found');
  return { view: { kind: 'user', userId: user.id }, scope: userScope(user), project: null, label: user.username, includeSubgroups: false };
}
