import Type from 'typebox';
import { requireAdmin } from '../../core/accounts/permissions.js';
import { backgroundJobsOverview, countJobRuns, listJobRuns } from '../../core/jobs/job-reads.js';
import { BackgroundJobs, JobRun } from '../../contracts/jobs.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { MAX_PAGE, queryOf, setPageHeaders } from '../pagination.js';

// An operations list, not GitLab's: up to 1000 runs a page, with GitLab's paging and its headers.
const runsQuery = queryOf({
  name: Type.String({ maxLength: 255 }),
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE }),
  per_page: Type.Integer({ minimum: 1, maximum: 1000 }),
});

/** Admins see which process leads background work and each job's latest run (operations, not audit). */
export function registerBackgroundJobRoutes(app: Api, ctx: AppContext): void {
  app.get('/api/v4/background_jobs', { schema: { response: { 200: BackgroundJobs } } }, async (request) => {
    requireAdmin(request.principal);
    return backgroundJobsOverview(ctx.db, ctx.jobs);
  });

  app.get('/api/v4/background_jobs/runs', { schema: { querystring: runsQuery, response: { 200: Type.Array(JobRun) } } }, async (request, reply) => {
    requireAdmin(request.principal);
    const page = request.query.page ?? 1;
    const perPage = request.query.per_page ?? 100;
    const paging = { page, perPage, offset: (page - 1) * perPage };
    const { name } = request.query;
    setPageHeaders(request, reply, ctx.config.baseUrl, paging, await countJobRuns(ctx.db, name));
    return listJobRuns(ctx.db, name, { limit: perPage, offset: paging.offset });
  });
}
