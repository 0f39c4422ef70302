import type { BackgroundJobs, JobRun } from '../../contracts/jobs.js';
import type { Db } from '../../storage/db/database.js';
import type { JobScheduler } from './job-scheduler.js';

// What administrators see of background work (operations, not audit): which process leads it,
// and each job's runs.

/** This process, the scheduler's lease, and each registered job with its latest run (one query for all of them). */
export async function backgroundJobsOverview(db: Db, scheduler: JobScheduler): Promise<BackgroundJobs> {
  const lease = await db.selectFrom('job_leases').selectAll().where('name', '=', 'scheduler').executeTakeFirst();
  const names = scheduler.registered.map((job) => job.name);
  const latest =
    names.length === 0
      ? []
      : await db
          .selectFrom('job_runs')
          .selectAll()
          .where('id', 'in', (eb) => eb.selectFrom('job_runs').select((inner) => inner.fn.max('id').as('id')).where('name', 'in', names).groupBy('name'))
          .execute();
  const lastRun = new Map(latest.map((run) => [run.name, run]));
  const jobs = scheduler.registered.map((job) => ({ name: job.name, interval_ms: job.intervalMs, last_run: lastRun.get(job.name) ?? null }));
  return { this_process: scheduler.holder, leader: lease ?? null, jobs };
}

/** Runs newest first, of one job or of all (`name` undefined or empty). */
function runsNamed(db: Db, name: string | undefined) {
  return db.selectFrom('job_runs').$if(name !== undefined && name !== '', (q) => q.where('name', '=', name!));
}

export async function countJobRuns(db: Db, name: string | undefined): Promise<number> {
  const total = await runsNamed(db, name)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(total?.n ?? 0);
}

export async function listJobRuns(db: Db, name: string | undefined, page: { limit: number; offset: number }): Promise<JobRun[]> {
  return runsNamed(db, name).selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
}
