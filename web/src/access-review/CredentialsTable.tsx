import type { WriteCredential } from '../types';
import { DateTime } from '../ui/date-time';
import { Empty } from '../ui/states';

const KIND_LABELS: Record<WriteCredential['kind'], string> = {
  personal_access_token: 'Personal access token',
  deploy_token: 'Deploy token',
  trusted_publisher: 'Trusted publisher (OIDC)',
};

const STALE_LABELS: Record<NonNullable<WriteCredential['stale_reason']>, string> = {
  unused_90_days: 'Stale: not used for 90 days',
  never_used_90_days: 'Stale: never used, created over 90 days ago',
};

/** Credentials that can write packages or images, with their last use; stale ones say why. */
export function CredentialsTable({ credentials, staleOnly }: { credentials: WriteCredential[]; staleOnly: boolean }) {
  const shown = staleOnly ? credentials.filter((c) => c.stale) : credentials;
  if (shown.length === 0) return <Empty>{staleOnly ? 'No stale credential can write here.' : 'No credential can write packages or images here.'}</Empty>;
  return (
    <div className="table-wrap">
      <table className="stack access-review-credentials">
        <caption className="sr-only">Credentials that can write packages or images</caption>
        <thead>
          <tr>
            <th scope="col">Credential</th>
            <th scope="col">Owner</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => (
            <tr key={`${c.kind}:${c.id}`}>
              <td data-label="Credential">
                “{c.name}”<div className="muted small">{KIND_LABELS[c.kind]}</div>
              </td>
              <td data-label="Owner">
                {c.owner.path}
                <div className="muted small">{c.owner.type}</div>
              </td>
              <td data-label="Scopes">{c.scopes.join(', ')}</td>
              <td data-label="Created">
                <DateTime iso={c.created_at} />
              </td>
              <td data-label="Expires">{c.expires_at ?? 'never'}</td>
              <td data-label="Last used">{c.last_used_at ? <DateTime iso={c.last_used_at} /> : 'never'}</td>
              <td data-label="Status">{c.stale_reason ? <strong>{STALE_LABELS[c.stale_reason]}</strong> : 'Active'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
