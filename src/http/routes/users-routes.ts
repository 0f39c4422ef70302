import Type from 'typebox';
import { requireAdmin, requireApiUser } from '../../core/accounts/permissions.js';
import { deleteUser } from '../../core/accounts/user-deletion.js';
import { setUserBlocked, updateUser } from '../../core/accounts/user-lifecycle.js';
import { listUsers } from '../../core/accounts/user-reads.js';
import { createUser, findUserById, userToApi } from '../../core/accounts/users.js';
import { errors } from '../../core/errors.js';
import { isAdmin } from '../../core/tokens/principal.js';
import { User } from '../../contracts/users.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam } from '../loaders.js';
import { flagValue, listQuery, paginateArray, queryFlag } from '../pagination.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, boolean, name, paramsOf, text } from '../schemas.js';

// POST and PUT take the same fields (PUT: any of them).
const userBody = bodyOf({ username: name, name, email: name, password: text(1024), admin: boolean });
const byId = paramsOf('id');

// GitLab's filters: username (exact), search (username or name contains; email too for
// administrators, who alone see emails), active, blocked, admins (administrators only).
const usersQuery = listQuery({ username: text(255), search: text(255), active: queryFlag, blocked: queryFlag, admins: queryFlag });

export function registerUserRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.get('/api/v4/user', { schema: { response: { 200: User } } }, async (request) => {
    const principal = requireApiUser(request.principal, false);
    return userToApi(principal.user, base, true);
  });

  app.get('/api/v4/users', { schema: { querystring: usersQuery, response: { 200: Type.Array(User) } } }, async (request, reply) => {
    const principal = requireApiUser(request.principal, false);
    const q = request.query;
    const admins = flagValue(q.admins) === true;
    if (admins && !isAdmin(principal)) throw errors.forbidden();
    const users = await listUsers(ctx.db, {
      username: q.username,
      search: q.search,
      searchEmails: isAdmin(principal),
      active: flagValue(q.active) === true,
      blocked: flagValue(q.blocked) === true,
      admins,
    });
    return paginateArray(request, reply, base, users).map((u) => userToApi(u, base, isAdmin(principal)));
  });

  app.get('/api/v4/users/:id', { schema: { params: byId, response: { 200: User } } }, async (request) => {
    const principal = requireApiUser(request.principal, false);
    const user = await findUserById(ctx.db, idParam(request.params.id, 'User'));
    if (!user) throw errors.notFound('404 User Not Found');
    return userToApi(user, base, isAdmin(principal) || principal.user.id === user.id);
  });

  app.post('/api/v4/users', { schema: { body: userBody, response: { 201: User } } }, async (request, reply) => {
    requireAdmin(request.principal);
    const body = request.body ?? {};
    const user = await createUser(ctx.db, ctx.audit, auditContextOf(request), {
      username: body.username,
      name: body.name,
      email: body.email,
      password: body.password,
      isAdmin: body.admin === true || body.admin === 'true',
    });
    return reply.status(201).send(userToApi(user, base, true));
  });

  // GitLab's administration of accounts (src/core/accounts/user-lifecycle.ts has the rules).
  app.put('/api/v4/users/:id', { schema: { params: byId, body: userBody, response: { 200: User } } }, async (request) => {
    const admin = requireAdmin(request.principal);
    const user = await updateUser(ctx.db, ctx.audit, auditContextOf(request), admin.user, idParam(request.params.id, 'User'), request.body ?? {});
    return userToApi(user, base, true);
  });

  for (const [action, blocked] of [['block', true], ['unblock', false]] as const) {
    // GitLab answers a bare `true`, also when the user already was in that state.
    app.post(`/api/v4/users/:id/${action}`, { schema: { params: byId, response: { 201: Type.Literal(true) } } }, async (request, reply) => {
      const admin = requireAdmin(request.principal);
      await setUserBlocked(ctx.db, ctx.audit, auditContextOf(request), admin.user, idParam(request.params.id, 'User'), blocked);
      return reply.status(201).send(true);
    });
  }

  app.delete('/api/v4/users/:id', { schema: { params: byId } }, async (request, reply) => {
    const admin = requireAdmin(request.principal);
    await deleteUser(ctx.db, ctx.audit, auditContextOf(request), admin.user, idParam(request.params.id, 'User'));
    return reply.status(204).send();
  });
}
