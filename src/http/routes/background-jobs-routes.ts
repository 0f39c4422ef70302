import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../../core/accounts/permissions.js';
import type { AppContext } from '../app-context.js';
import { MAX_PAGE, setPageHeaders } from '../pagination.js';

/** Admins see which process leads background work and each job's latest run (operations, not audit). */
export function registerBackgroundJobRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v4/background_jobs', async (request) => {
    requireAdmin(request.principal);
    const lease = await ctx.db.selectFrom('job_leases').selectAll().where('name', '=', 'scheduler').executeTakeFirst();
    const jobs = [];
    for (const job of ctx.jobs.registered) {
      const last = await ctx.db.selectFrom('job_runs').selectAll().where('name', '=', job.name).orderBy('id', 'desc').limit(1).executeTakeFirst();
      jobs.push({ name: job.name, interval_ms: job.intervalMs, last_run: last ?? null });
    }
    return { this_process: ctx.jobs.holder, leader: lease ?? null, jobs };
  });

  // An operations list, not GitLab's: up to 1000 runs a page, with GitLab's paging and its headers.
  const runsQuery = { type: 'object', properties: { name: { type: 'string', maxLength: 255 }, page: { type: 'integer', minimum: 1, maximum: MAX_PAGE }, per_page: { type: 'integer', minimum: 1, maximum: 1000 } } } as const;
  app.get<{ Querystring: { name?: string; page?: number; per_page?: number } }>('/api/v4/background_jobs/runs', { schema: { querystring: runsQuery } }, async (request, reply) => {
    requireAdmin(request.principal);
    const page = request.query.page ?? 1;
    const perPage = request.query.per_page ?? 100;
    const paging = { page, perPage, offset: (page - 1) * perPage };
    const { name } = request.query;
    const total = await ctx.db
      .selectFrom('job_runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .$if(name !== undefined && name !== '', (q) => q.where('name', '=', name!))
      .executeTakeFirst();
    setPageHeaders(request, reply, ctx.config.baseUrl, paging, Number(total?.n ?? 0));
    return ctx.db
      .selectFrom('job_runs')
      .selectAll()
      .$if(name !== undefined && name !== '', (q) => q.where('name', '=', name!))
      .orderBy('id', 'desc')
      .limit(perPage)
      .offset(paging.offset)
      .execute();
  });
}
