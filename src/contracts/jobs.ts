import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

// Background jobs (operations, not audit): which process leads them and how their runs went.

/** One run of a job at one due time. */
export const JobRun = Type.Object({
  id: Id,
  name: Type.String(),
  due_at: Timestamp,
  /** The process that ran it (host:pid:random). */
  holder: Type.String(),
  started_at: Timestamp,
  finished_at: Nullable(Timestamp),
  outcome: Nullable(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  detail: Nullable(Type.String()),
});
export type JobRun = Static<typeof JobRun>;

/** `GET /background_jobs`. */
export const BackgroundJobs = Type.Object({
  this_process: Type.String(),
  /** The lease of the process that runs due jobs; null before any process took it. */
  leader: Nullable(Type.Object({ name: Type.String(), holder: Type.String(), expires_at: Timestamp })),
  jobs: Type.Array(Type.Object({ name: Type.String(), interval_ms: Type.Integer({ minimum: 0 }), last_run: Nullable(JobRun) })),
});
export type BackgroundJobs = Static<typeof BackgroundJobs>;
