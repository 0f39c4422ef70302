import type { FastifyRequest } from 'fastify';
import { AccessLevel } from '../core/accounts/access-levels.js';
import { subtreeNamespaceIds } from '../core/accounts/namespaces.js';
import { requireAdmin, requireApiUser } from '../core/accounts/permissions.js';
import { TOKEN_TYPES, VIA, type AuditView } from '../core/audit/audit-query.js';
import { INSTANCE_SCOPE, namespaceScope, projectScope, userScope } from '../core/audit/audit-scope.js';
import type { AuditScope } from '../core/audit/audit-types.js';
import { errors } from '../core/errors.js';
import { isAdmin } from '../core/tokens/principal.js';
import type { AppContext } from './app-context.js';
import { idParam, visibleGroup, visibleProject } from './loaders.js';
import { flagValue, isoTimestamp, oneOf, queryFlag } from './pagination.js';

/** The audit filters (SPEC 4.5) with a fixed list or shape, for the query schemas of the list and export routes. */
export const AUDIT_FILTER_QUERY = {
  via: oneOf(VIA),
  outcome: oneOf(['success', 'failure']),
  token_type: oneOf(['', ...TOKEN_TYPES]),
  author: { type: 'string', maxLength: 255 },
  created_after: isoTimestamp,
  created_before: isoTimestamp,
  include_subgroups: queryFlag,
};

// Which slice of the audit log a request may read (SPEC 4.2), shared by the list, single-event
// and export endpoints so that they can never disagree: admins see the instance; group owners
// all of a group's events, project maintainers all of a project's; developers (and group
// maintainers) only their own actions; reporters nothing (403); others do not learn it exists (404).
// A user's own view: the events stored on them (account, sign-in, personal tokens, namespace
// settings), for that user and for admins (a deleted user's too).

export type AuditViewParams = { id: string };

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

export async function groupView(ctx: AppContext, request: FastifyRequest<{ Params: AuditViewParams }>): Promise<ResolvedView> {
  const principal = requireApiUser(request.principal, false);
  const { group, level } = await visibleGroup(ctx, request, request.params.id);
  if (level < AccessLevel.developer) throw errors.forbidden();
  const { include_subgroups } = request.query as { include_subgroups?: string };
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

export async function projectView(ctx: AppContext, request: FastifyRequest<{ Params: AuditViewParams }>): Promise<ResolvedView> {
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

export async function userView(ctx: AppContext, request: FastifyRequest<{ Params: AuditViewParams }>): Promise<ResolvedView> {
  const principal = requireApiUser(request.principal, false);
  // Administrators also read a deleted user's history (the account row stays for that).
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', idParam(request.params.id, 'User')).executeTakeFirst();
  if (!user || !(isAdmin(principal) || (user.id === principal.user.id && user.state !== 'deleted'))) throw errors.notFound('404 User Not Found');
  return { view: { kind: 'user', userId: user.id }, scope: userScope(user), project: null, label: user.username, includeSubgroups: false };
}
