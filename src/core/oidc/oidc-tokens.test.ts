import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OidcToken } from '../tokens/principal.js';
import { claimsToKeep, oidcTokenExpired, pipelineOfOidc } from './oidc-tokens.js';

// What a minted token keeps of its ID token's claims, and the pipeline events made with it carry.

const tokenWith = (issuer: string, claims: Record<string, unknown>, expiresAt = '2030-01-01T00:00:00.000Z'): OidcToken => ({
  id: 1,
  token_digest: 'x',
  project_id: 1,
  trusted_publisher_id: 3,
  issuer,
  subject: 'sub',
  claims: JSON.stringify(claims),
  package_type: null,
  package_name_pattern: null,
  created_at: '2029-12-31T23:45:00.000Z',
  expires_at: expiresAt,
});

describe('OIDC tokens', () => {
  it('keep the identifying claims and those the publisher matched, nothing else', () => {
    const kept = claimsToKeep(
      { sub: 's', project_path: 'acme/app', user_email: 'someone@example.com', custom: 'x', nested: { a: 1 }, pipeline_id: '7', ref_protected: true, long: 'y'.repeat(600) },
      { custom: 'x', nested: '*', long: '*' },
    );
    assert.deepEqual(kept, { sub: 's', project_path: 'acme/app', pipeline_id: '7', ref_protected: true, custom: 'x', long: 'y'.repeat(512) });
  });

  it('take a GitLab CI pipeline from the claims', () => {
    const pipeline = pipelineOfOidc(tokenWith('https://gitlab.example.com/', { pipeline_id: '1001', job_id: '5001', project_path: 'acme/app', ref: 'main', sha: 'abc1234' }));
    assert.deepEqual(pipeline, { id: 1001, job_id: 5001, project_path: 'acme/app', ref: 'main', sha: 'abc1234', url: 'https://gitlab.example.com/acme/app/-/pipelines/1001', source: 'gitlab_ci' });
  });

  it('take a GitHub Actions run from the claims: no job id, the workflow and attempt; a github.com link only for its issuer', () => {
    const claims = { run_id: '9001', run_attempt: '2', repository: 'acme/app', workflow_ref: 'acme/app/.github/workflows/r.yml@refs/tags/v1', ref: 'refs/tags/v1', sha: 'b'.repeat(40) };
    const pipeline = pipelineOfOidc(tokenWith('https://token.actions.githubusercontent.com', claims));
    assert.deepEqual(pipeline, {
      id: 9001, job_id: null, project_path: 'acme/app', ref: 'v1', sha: 'b'.repeat(40), url: 'https://github.com/acme/app/actions/runs/9001/attempts/2',
      source: 'github_actions', repository: 'acme/app', workflow: 'acme/app/.github/workflows/r.yml@refs/tags/v1', run_attempt: 2,
    });
    assert.equal(pipelineOfOidc(tokenWith('https://ghe.example.com/_services/token', claims))?.url, null);
  });

  it('name no pipeline for another issuer\'s claims, nor for ids that are not positive integers', () => {
    assert.equal(pipelineOfOidc(tokenWith('https://ci.example.com', { sub: 'job-1', sha: 'abc' })), null);
    assert.equal(pipelineOfOidc(tokenWith('https://gitlab.example.com', { pipeline_id: 'x1', project_path: 'acme/app' })), null);
    assert.equal(pipelineOfOidc(tokenWith('https://gitlab.example.com', { pipeline_id: '0', project_path: 'acme/app' })), null);
  });

  it('expire at their expires_at', () => {
    const token = tokenWith('https://gitlab.example.com', {}, '2030-01-01T00:00:00.000Z');
    assert.equal(oidcTokenExpired(token, Date.parse('2029-12-31T23:59:59.999Z')), false);
    assert.equal(oidcTokenExpired(token, Date.parse('2030-01-01T00:00:00.000Z')), true);
  });
});
