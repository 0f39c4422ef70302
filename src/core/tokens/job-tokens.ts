import type { Db } from '../../storage/db/database.js';
import type { Namespace } from '../accounts/namespaces.js';
import type { Project } from '../accounts/projects.js';
import type { User } from '../accounts/users.js';
import type { AuditLog } from '../audit/audit-log.js';
import { projectScope } from '../audit/audit-scope.js';
import type { AuditContext, PipelineInfo } from '../audit/audit-types.js';
import { nowIso } from '../clock.js';
import { errors } from '../errors.js';
import type { JobToken } from './principal.js';
import { generateTokenSecret, TOKEN_PREFIX, tokenDigest } from './token-secrets.js';

/** A job token lives at most this long; the pipeline may ask for less. */
export const JOB_TOKEN_MAX_SECONDS = 2 * 60 * 60;

/** A job's token as the CI system asks for it: numbers also as their digits (form bodies); each field is checked here. */
export interface JobTokenRequest {
  pipeline_id?: number | string;
  job_id?: number | string;
  ref?: string;
  sha?: string;
  pipeline_url?: string | null;
  expires_in?: number | string;
}

function positiveInt(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw errors.badRequest(`${name} is missing or invalid`);
  return n;
}

function text(value: unknown, name: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw errors.badRequest(`${name} is missing or invalid`);
  return value;
}

export async function issueJobToken(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  project: Project,
  namespace: Namespace,
  triggeredBy: User,
  input: JobTokenRequest,
): Promise<{ token: JobToken; secret: string }> {
  const pipelineId = positiveInt(input.pipeline_id, 'pipeline_id');
  const jobId = positiveInt(input.job_id, 'job_id');
  const ref = text(input.ref, 'ref', /^[^\u0000-\u001f\u007f]{1,255}$/);
  const sha = text(input.sha, 'sha', /^[0-9a-f]{7,64}$/);
  let pipelineUrl: string | null = null;
  if (input.pipeline_url !== undefined && input.pipeline_url !== null) {
    pipelineUrl = text(input.pipeline_url, 'pipeline_url', /^https?:\/\/[^\s]{1,2000}$/);
  }
  const lifetime = input.expires_in === undefined ? JOB_TOKEN_MAX_SECONDS : positiveInt(input.expires_in, 'expires_in');
  const expiresAt = new Date(Date.now() + Math.min(lifetime, JOB_TOKEN_MAX_SECONDS) * 1000).toISOString();
  const secret = generateTokenSecret(TOKEN_PREFIX.job);
  return db.transaction().execute(async (tx) => {
    const token = await tx
      .insertInto('job_tokens')
      .values({
        project_id: project.id,
        user_id: triggeredBy.id,
        pipeline_id: pipelineId,
        job_id: jobId,
        ref,
        sha,
        pipeline_url: pipelineUrl,
        token_digest: tokenDigest(secret),
        expires_at: expiresAt,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit.record(tx, ctx, {
      eventName: 'ci_job_token_issued',
      scope: projectScope(project, namespace),
      project: { id: project.id, full_path: project.full_path },
      target: { id: token.id, type: 'Ci::JobToken', details: `job ${jobId} of pipeline ${pipelineId} (${ref} @ ${sha.slice(0, 8)})` },
      customMessage: `Issued a CI job token for ${triggeredBy.username}, job ${jobId} of pipeline ${pipelineId}`,
      changes: { expires_at: { from: null, to: expiresAt }, user_id: { from: null, to: triggeredBy.id } },
    });
    return { token, secret };
  });
}

export function pipelineOf(token: JobToken, projectPath: string): PipelineInfo {
  return { id: token.pipeline_id, job_id: token.job_id, project_path: projectPath, ref: token.ref, sha: token.sha, url: token.pipeline_url };
}
