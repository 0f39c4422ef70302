import type { Api } from './api.js';
import { jobRuns } from './scale-out.js';
import { waitFor } from './webhook-receiver.js';

export interface JobRun {
  name: string;
  started_at: string;
  finished_at: string | null;
  outcome: string | null;
  detail: string | null;
}

/**
 * The first run of background job `name` that started after `afterMs` and has finished (through
 * GET /api/v4/background_jobs/runs). Fails if that run failed. Generous limit: it waits for the
 * scheduler, not for a speed.
 */
export async function waitForJobRun(root: Api, name: string, afterMs: number, timeoutMs = 120_000): Promise<JobRun> {
  const run = await waitFor(
    `a finished run of ${name} started after ${new Date(afterMs).toISOString()}`,
    async () => ((await jobRuns(root, name)) as JobRun[]).filter((r) => Date.parse(r.started_at) > afterMs && r.finished_at !== null).at(-1),
    timeoutMs,
  );
  if (run.outcome !== 'success') throw new Error(`${name} failed: ${run.detail}`);
  return run;
}
