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

/**
 * Environment for a Trove whose blob collector runs every half second with a grace period of
 * TEST_BLOB_GC_GRACE_SECONDS, so that a test can wait for garbage to go (blobsCollected).
 * `intervals`: the test's own TROVE_JOB_INTERVALS entries, kept.
 */
export function fastBlobGc(intervals: string[] = []): Record<string, string> {
  return {
    TROVE_BLOB_GC_GRACE_SECONDS: String(TEST_BLOB_GC_GRACE_SECONDS),
    TROVE_JOB_LEASE_SECONDS: '2',
    TROVE_JOB_INTERVALS: [...intervals, 'blob-gc=500ms'].join(','),
  };
}

/**
 * Waits until the blob collector has deleted every blob that was garbage when called: it marks
 * one in a run, and deletes it in a run at least the grace period after that. The marking run
 * starts a grace period after the call, when registrations of failed uploads have lapsed too.
 */
export async function blobsCollected(root: Api, graceSeconds = TEST_BLOB_GC_GRACE_SECONDS): Promise<void> {
  const graceMs = graceSeconds * 1000;
  const marking = await waitForJobRun(root, 'blob-gc', Date.now() + graceMs);
  await waitForJobRun(root, 'blob-gc', Date.parse(marking.finished_at!) + graceMs);
}
