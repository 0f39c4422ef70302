import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { findUserById, type User } from '../../core/accounts/users.js';
import { errors } from '../../core/errors.js';
import {
  createDeployToken,
  deployTokenToApi,
  findDeployToken,
  listDeployTokens,
  ownerAudit,
  revokeDeployToken,
  type DeployTokenOwner,
} from '../../core/tokens/deploy-tokens.js';
import { issueJobToken } from '../../core/tokens/job-tokens.js';
import {
  createPersonalAccessToken,
  findPersonalAccessToken,
  listPersonalAccessTokens,
  personalAccessTokenToApi,
  revokePersonalAccessToken,
} from '../../core/tokens/personal-access-tokens.js';
import { isAdmin } from '../../core/tokens/principal.js';
import { recordTokenChangeDenied, type TokenChangeAttempt } from '../../core/tokens/token-refusals.js';
import { projectSubject, type SubjectAudit } from '../../core/audit/audit-scope.js';
import { DEPLOY_TOKEN_SCOPES, PERSONAL_TOKEN_SCOPES } from '../../core/tokens/scopes.js';
import { DeployToken, IssuedJobToken, PersonalAccessToken } from '../../contracts/tokens.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { listQuery, paginateArray } from '../pagination.js';
import { bodyOf, expiresAt, listOf, name, nullableText, optionalId, paramsOf, positiveInteger, text, type Static } from '../schemas.js';
import { auditContextOf } from '../request-context.js';
import { recordingRefusal } from '../recorded-refusal.js';

const byId = paramsOf('id');
const byToken = paramsOf('id', 'token_id');
const newPersonalToken = bodyOf({ name, scopes: listOf(PERSONAL_TOKEN_SCOPES), expires_at: expiresAt });
const newDeployToken = bodyOf({ name, scopes: listOf(DEPLOY_TOKEN_SCOPES), expires_at: expiresAt, username: name });
const newJobToken = bodyOf({
  user_id: optionalId,
  pipeline_id: positiveInteger(),
  job_id: positiveInteger(),
  ref: name,
  sha: text(64),
  pipeline_url: nullableText(2048),
  expires_in: positiveInteger(Number.MAX_SAFE_INTEGER),
});
const tokensQuery = listQuery({ user_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export function registerTokenRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  /** Runs a token change; a refusal (403) is recorded as token_change_denied on `subject` (null: the instance), then answered. */
  const auditingRefusal = <T>(request: FastifyRequest, subject: SubjectAudit | null, attempt: TokenChangeAttempt, change: () => Promise<T>): Promise<T> =>
    recordingRefusal(change, (reason) => recordTokenChangeDenied(ctx.db, ctx.audit, auditContextOf(request), subject, attempt, reason));

  async function createPat(request: FastifyRequest, body: Static<typeof newPersonalToken>, user: User) {
    const { token, secret } = await createPersonalAccessToken(ctx.db, ctx.audit, auditContextOf(request), user, {
      name: body?.name,
      scopes: body?.scopes,
      expires_at: body?.expires_at,
    });
    return personalAccessTokenToApi(token, secret);
  }

  app.post('/api/v4/user/personal_access_tokens', { schema: { body: newPersonalToken, response: { 201: PersonalAccessToken } } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, true);
    return reply.status(201).send(await createPat(request, request.body, principal.user));
  });

  const forUser = { params: byId, body: newPersonalToken, response: { 201: PersonalAccessToken } };
  app.post('/api/v4/users/:id/personal_access_tokens', { schema: forUser }, async (request, reply) => {
    const userId = idParam(request.params.id, 'User');
    const user = await findUserById(ctx.db, userId);
    const attempt: TokenChangeAttempt = { action: 'create', kind: 'personal_access_token', token: request.body?.name ?? null, scopes: request.body?.scopes ?? null, forUser: { id: userId, username: user?.username ?? null } };
    await auditingRefusal(request, null, attempt, async () => requireAdmin(request.principal));
    if (!user) throw errors.notFound('404 User Not Found');
    return reply.status(201).send(await createPat(request, request.body, user));
  });

  app.get('/api/v4/personal_access_tokens', { schema: { querystring: tokensQuery, response: { 200: Type.Array(PersonalAccessToken) } } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, false);
    // Everyone sees their own tokens; an administrator everyone's, or one user's.
    const userId = isAdmin(principal) ? request.query.user_id || undefined : principal.user.id;
    const tokens = await listPersonalAccessTokens(ctx.db, userId);
    return paginateArray(request, reply, base, tokens).map((t) => personalAccessTokenToApi(t));
  });

  app.get('/api/v4/personal_access_tokens/:id', { schema: { params: byId, response: { 200: PersonalAccessToken } } }, async (request) => {
    const principal = requireApiUser(request.principal, false);
    const token = await findPersonalAccessToken(ctx.db, idParam(request.params.id, 'Token'));
    if (!token || (token.user_id !== principal.user.id && !isAdmin(principal))) throw errors.notFound('404 Token Not Found');
    return personalAccessTokenToApi(token);
  });

  app.delete('/api/v4/personal_access_tokens/:id', { schema: { params: byId } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, true);
    const id = request.params.id === 'self' && principal.token ? principal.token.id : idParam(request.params.id, 'Token');
    const token = await findPersonalAccessToken(ctx.db, id);
    if (!token || (token.user_id !== principal.user.id && !isAdmin(principal))) throw errors.notFound('404 Token Not Found');
    if (token.revoked) throw errors.badRequest('Token already revoked');
    const owner = (await findUserById(ctx.db, token.user_id))!;
    await revokePersonalAccessToken(ctx.db, ctx.audit, auditContextOf(request), token, owner);
    return reply.status(204).send();
  });

  // Deploy tokens: group owners manage a group's, project maintainers a project's. A caller who
  // sees the group or project but may not manage its tokens gets 403 (recorded for a change).
  type OwnerLoader = (request: FastifyRequest, ref: string) => Promise<{ owner: DeployTokenOwner; manages: boolean }>;
  const groupOwner: OwnerLoader = async (request, ref) => {
    const { group, level } = await visibleGroup(ctx, request, ref);
    return { owner: { type: 'namespace', namespace: group }, manages: level >= AccessLevel.owner };
  };
  const projectOwner: OwnerLoader = async (request, ref) => {
    const { project, namespace, level } = await visibleProject(ctx, request, ref);
    return { owner: { type: 'project', project, namespace }, manages: level >= AccessLevel.maintainer };
  };
  const assertManages = ({ owner, manages }: { owner: DeployTokenOwner; manages: boolean }): DeployTokenOwner => {
    if (!manages) throw errors.forbidden();
    return owner;
  };

  for (const [prefix, loadOwner] of [['/api/v4/groups', groupOwner], ['/api/v4/projects', projectOwner]] as const) {
    const list = { params: byId, querystring: listQuery(), response: { 200: Type.Array(DeployToken) } };
    app.get(`${prefix}/:id/deploy_tokens`, { schema: list }, async (request, reply) => {
      requireApiUser(request.principal, false);
      const owner = assertManages(await loadOwner(request, request.params.id));
      const tokens = await listDeployTokens(ctx.db, owner);
      return paginateArray(request, reply, base, tokens).map((t) => deployTokenToApi(t));
    });

    app.post(`${prefix}/:id/deploy_tokens`, { schema: { params: byId, body: newDeployToken, response: { 201: DeployToken } } }, async (request, reply) => {
      requireApiUser(request.principal, true);
      const loaded = await loadOwner(request, request.params.id);
      const body = request.body ?? {};
      const attempt: TokenChangeAttempt = { action: 'create', kind: 'deploy_token', token: body.name ?? null, scopes: body.scopes ?? null, forUser: null };
      const owner = await auditingRefusal(request, ownerAudit(loaded.owner), attempt, async () => assertManages(loaded));
      const { token, secret } = await createDeployToken(ctx.db, ctx.audit, auditContextOf(request), owner, body);
      return reply.status(201).send(deployTokenToApi(token, secret));
    });

    app.get(`${prefix}/:id/deploy_tokens/:token_id`, { schema: { params: byToken, response: { 200: DeployToken } } }, async (request) => {
      requireApiUser(request.principal, false);
      const owner = assertManages(await loadOwner(request, request.params.id));
      const token = await findDeployToken(ctx.db, owner, idParam(request.params.token_id, 'Deploy Token'));
      if (!token) throw errors.notFound('404 Deploy Token Not Found');
      return deployTokenToApi(token);
    });

    app.delete(`${prefix}/:id/deploy_tokens/:token_id`, { schema: { params: byToken } }, async (request, reply) => {
      requireApiUser(request.principal, true);
      const loaded = await loadOwner(request, request.params.id);
      const attempt: TokenChangeAttempt = { action: 'revoke', kind: 'deploy_token', token: request.params.token_id, scopes: null, forUser: null };
      const owner = await auditingRefusal(request, ownerAudit(loaded.owner), attempt, async () => assertManages(loaded));
      const token = await findDeployToken(ctx.db, owner, idParam(request.params.token_id, 'Deploy Token'));
      if (!token) throw errors.notFound('404 Deploy Token Not Found');
      if (!token.revoked) await revokeDeployToken(ctx.db, ctx.audit, auditContextOf(request), owner, token);
      return reply.status(204).send();
    });
  }

  // CI job tokens: minted by a project maintainer (the CI system) for one job of one pipeline.
  const jobToken = { params: byId, body: newJobToken, response: { 201: IssuedJobToken } };
  app.post('/api/v4/projects/:id/ci/job_tokens', { schema: jobToken }, async (request, reply) => {
    const principal = requireApiUser(request.principal, true);
    const { project, namespace, level } = await visibleProject(ctx, request, request.params.id);
    const body = request.body ?? {};
    const namesOther = body.user_id !== undefined && body.user_id !== null && Number(body.user_id) !== principal.user.id;
    const named = namesOther ? await findUserById(ctx.db, Number(body.user_id)) : undefined;
    const attempt: TokenChangeAttempt = {
      action: 'create',
      kind: 'ci_job_token',
      token: `pipeline ${body.pipeline_id}, job ${body.job_id}`,
      scopes: null,
      forUser: namesOther ? { id: Number(body.user_id), username: named?.username ?? null } : null,
    };
    await auditingRefusal(request, projectSubject(project, namespace), attempt, async () => {
      if (level < AccessLevel.maintainer) throw errors.forbidden();
      // The token carries the named user's rights: naming someone else is an administrator's act (docs/api.md#common-rules).
      if (namesOther && !isAdmin(principal)) throw errors.forbidden('403 Forbidden - only an administrator may issue a job token for another user');
    });
    if (namesOther && !named) throw errors.notFound('404 User Not Found');
    const triggeredBy = named ?? principal.user;
    const { token, secret } = await issueJobToken(ctx.db, ctx.audit, auditContextOf(request), project, namespace, triggeredBy, body);
    return reply.status(201).send({ id: token.id, token: secret, expires_at: token.expires_at, project_id: project.id, user_id: triggeredBy.id });
  });
}
