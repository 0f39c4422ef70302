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

/** The blob collector's grace period in Troves started with fastBlobGc(). */
export const TEST_BLOB_GC_GRACE_SECONDS = 2;
/** The restore window (TROVE_RESTORE_SECONDS) of Troves started with fastBlobGc(): deleted versions are purged after it. */
export const TEST_RESTORE_SECONDS = 1;
/** The job that purges deleted versions once their restore window is over (src/core/packages/purge-job.ts). */
export const PURGE_JOB = 'purge-deleted-packages';

/**
 * Environment for a Trove whose deleted versions are purged TEST_RESTORE_SECONDS after their
 * delete and whose blob collector runs every half second with a grace period of
 * TEST_BLOB_GC_GRACE_SECONDS, so that a test can wait for garbage to go (blobsCollected).
 * `intervals`: the test's own TROVE_JOB_INTERVALS entries, kept.
 */
export function fastBlobGc(intervals: string[] = []): Record<string, string> {
  return {
    TROVE_BLOB_GC_GRACE_SECONDS: String(TEST_BLOB_GC_GRACE_SECONDS),
    TROVE_RESTORE_SECONDS: String(TEST_RESTORE_SECONDS),
    TROVE_JOB_LEASE_SECONDS: '2',
    TROVE_JOB_INTERVALS: [...intervals, 'blob-gc=500ms', `${PURGE_JOB}=500ms`].join(','),
  };
}

/**
 * Waits until the versions deleted before the call are purged (a purge run that started a restore
 * window after the call) and the blob collector has then deleted every blob that was garbage: it
 * marks one in a run, and deletes it in a run at least the grace period after that. The marking
 * run starts a grace period after the purge, when registrations of failed uploads have lapsed too.
 */
export async function blobsCollected(root: Api, graceSeconds = TEST_BLOB_GC_GRACE_SECONDS): Promise<void> {
  const graceMs = graceSeconds * 1000;
  const purge = await waitForJobRun(root, PURGE_JOB, Date.now() + TEST_RESTORE_SECONDS * 1000);
  const marking = await waitForJobRun(root, 'blob-gc', Date.parse(purge.finished_at!) + graceMs);
  await waitForJobRun(root, 'blob-gc', Date.parse(marking.finished_at!) + graceMs);
}
