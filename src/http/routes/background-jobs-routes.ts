import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../../core/accounts/permissions.js';
import type { AppContext } from '../app-context.js';

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

  const runsQuery = { type: 'object', properties: { name: { type: 'string', maxLength: 255 }, per_page: { type: 'integer', minimum: 1, maximum: 1000 } } } as const;
  app.get<{ Querystring: { name?: string; per_page?: number } }>('/api/v4/background_jobs/runs', { schema: { querystring: runsQuery } }, async (request) => {
    requireAdmin(request.principal);
    const limit = request.query.per_page ?? 100;
    let query = ctx.db.selectFrom('job_runs').selectAll().orderBy('id', 'desc').limit(limit);
    if (request.query.name) query = query.where('name', '=', request.query.name);
    return query.execute();
  });
}
