import type { Actor, Pipeline, PublishedBy } from '../types';
import { viaText } from '../audit/labels';
import { DateTime } from '../ui/date-time';

// "Who, with which credential, how": the sentence docs/architecture.md#the-audit-record asks the package page to say, e.g.
// deploy token "release-bot" of acme/web-app via npm 11.19.1, pipeline #881 (main @ 3f2a1c9).

export function actorText(actor: Actor): string {
  switch (actor.type) {
    case 'personal_access_token':
      return `personal access token "${actor.token_name}" of ${actor.username}`;
    case 'deploy_token':
      return `deploy token "${actor.token_name}" of ${actor.token_owner_path}`;
    case 'job_token':
      return `CI job token of ${actor.username} (${actor.token_owner_path})`;
    case 'oidc':
      return `trusted publisher ${actor.trusted_publisher_id} of ${actor.token_owner_path} (${actor.subject})`;
    case 'user':
      return `user ${actor.username}`;
    case 'system':
      return actor.name ?? 'Trove';
    case 'anonymous':
      return 'anonymous';
  }
}

export function pipelineText(pipeline: Pipeline): string {
  const job = pipeline.job_id === null ? '' : `, job #${pipeline.job_id}`;
  return `pipeline #${pipeline.id}${job} (${pipeline.ref} @ ${pipeline.sha.slice(0, 7)})`;
}

/** The sentence docs/api.md#trusted-publishing-the-token-exchange gives a version published through trusted publishing (an OIDC token with its CI run's claims). */
export function trustedPublishingText(pipeline: Pipeline): string {
  return `Published by pipeline ${pipeline.id} of ${pipeline.repository ?? pipeline.project_path} at commit ${pipeline.sha.slice(0, 7)}, via trusted publishing`;
}

/** The "Published by" block of a version or a file. */
export function PublishedByDetails({ by }: { by: PublishedBy }) {
  return (
    <dl className="published-by">
      {by.actor.type === 'oidc' && by.pipeline && (
        <>
          <dt>Trusted publishing</dt>
          <dd className="trusted-publishing">{trustedPublishingText(by.pipeline)}</dd>
        </>
      )}
      <dt>Actor</dt>
      <dd>
        {actorText(by.actor)}
      </dd>
      <dt>Via</dt>
      <dd title={by.via}>{viaText(by.via, by.client)}</dd>
      {by.pipeline && (
        <>
          <dt>Pipeline</dt>
          <dd>
            {by.pipeline.url ? <a href={by.pipeline.url}>{pipelineText(by.pipeline)}</a> : pipelineText(by.pipeline)}
          </dd>
        </>
      )}
      <dt>Time</dt>
      <dd>
        <DateTime iso={by.at} />
      </dd>
    </dl>
  );
}
