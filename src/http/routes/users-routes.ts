import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { deleteUser } from '../../core/accounts/user-deletion.js';
import { setUserBlocked, updateUser } from '../../core/accounts/user-lifecycle.js';
import { createUser, findUserById, userToApi } from '../../core/accounts/users.js';
import { errors } from '../../core/errors.js';
import { containsIgnoringCase } from '../../storage/db/like.js';
import { isAdmin } from '../../core/tokens/principal.js';
import type { AppContext } from '../app-context.js';
import { idParam } from '../loaders.js';
import { flagValue, listQuery, paginateArray, queryFlag } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, boolean, name, text } from '../schemas.js';

type Body = Record<string, unknown>;

// POST and PUT take the same fields (PUT: any of them).
const userBody = bodyOf({ username: name, name, email: name, password: text(1024), admin: boolean });

export function registerUserRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.get('/api/v4/user', async (request) => {
    const principal = requireApiUser(request.principal, false);
    return userToApi(principal.user, base, true);
  });

  // GitLab's filters: username (exact), search (username or name contains; email too for
  // administrators, who alone see emails), active, blocked, admins (administrators only).
  const usersQuery = listQuery({ username: text(255), search: text(255), active: queryFlag, blocked: queryFlag, admins: queryFlag });
  app.get('/api/v4/users', { schema: { querystring: usersQuery } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, false);
    const q = request.query as { username?: string; search?: string; active?: string; blocked?: string; admins?: string };
    let query = ctx.db.selectFrom('users').selectAll().where('state', '<>', 'deleted').orderBy('id');
    if (q.username) query = query.where('username', '=', q.username);
    if (q.search) {
      const search = q.search;
      query = query.where((eb) =>
        eb.or([
          containsIgnoringCase('username', search),
          containsIgnoringCase('name', search),
          ...(isAdmin(principal) ? [containsIgnoringCase('email', search)] : []),
        ]),
      );
    }
    if (flagValue(q.active)) query = query.where('state', '=', 'active');
    if (flagValue(q.blocked)) query = query.where('state', '=', 'blocked');
    if (flagValue(q.admins)) {
      if (!isAdmin(principal)) throw errors.forbidden();
      query = query.where('is_admin', '=', 1);
    }
    const users = await query.execute();
    return paginateArray(request, reply, base, users).map((u) => userToApi(u, base, isAdmin(principal)));
  });

  app.get<{ Params: { id: string } }>('/api/v4/users/:id', async (request) => {
    const principal = requireApiUser(request.principal, false);
    const user = await findUserById(ctx.db, idParam(request.params.id, 'User'));
    if (!user) throw errors.notFound('404 User Not Found');
    return userToApi(user, base, isAdmin(principal) || principal.user.id === user.id);
  });

  app.post<{ Body: Body }>('/api/v4/users', { schema: { body: userBody } }, async (request, reply) => {
    requireAdmin(request.principal);
    const body = request.body ?? {};
    const user = await createUser(ctx.db, ctx.audit, auditContextOf(request), {
      username: body.username as string,
      name: body.name as string | undefined,
      email: body.email as string,
      password: body.password as string | undefined,
      isAdmin: body.admin === true || body.admin === 'true',
    });
    return reply.status(201).send(userToApi(user, base, true));
  });

  // GitLab's administration of accounts (src/core/accounts/user-lifecycle.ts has the rules).
  app.put<{ Params: { id: string }; Body: Body }>('/api/v4/users/:id', { schema: { body: userBody } }, async (request) => {
    const admin = requireAdmin(request.principal);
    const user = await updateUser(ctx.db, ctx.audit, auditContextOf(request), admin.user, idParam(request.params.id, 'User'), request.body ?? {});
    return userToApi(user, base, true);
  });

  for (const [action, blocked] of [['block', true], ['unblock', false]] as const) {
    app.post<{ Params: { id: string } }>(`/api/v4/users/:id/${action}`, async (request, reply) => {
      const admin = requireAdmin(request.principal);
      await setUserBlocked(ctx.db, ctx.audit, auditContextOf(request), admin.user, idParam(request.params.id, 'User'), blocked);
      // GitLab answers a bare `true`, also when the user already was in that state.
      return reply.status(201).send(true);
    });
  }

  app.delete<{ Params: { id: string } }>('/api/v4/users/:id', async (request, reply) => {
    const admin = requireAdmin(request.principal);
    await deleteUser(ctx.db, ctx.audit, auditContextOf(request), admin.user, idParam(request.params.id, 'User'));
    return reply.status(204).send();
  });
}
