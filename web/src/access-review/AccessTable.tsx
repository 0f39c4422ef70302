import { ActorCell } from '../audit/ActorCell';
import { viaLabel } from '../audit/labels';
import { levelName } from '../members/access-levels';
import type { AccessReviewEntry } from '../types';
import { DateTime } from '../ui/date-time';
import { Empty } from '../ui/states';

/** Who can reach each project: level, where the membership is, and the member event that granted it. */
export function AccessTable({ entries }: { entries: AccessReviewEntry[] }) {
  if (entries.length === 0) return <Empty>No project of this group has members yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="stack access-review-access">
        <caption className="sr-only">Project access</caption>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">User</th>
            <th scope="col">Access level</th>
            <th scope="col">Membership</th>
            <th scope="col">Granted</th>
            <th scope="col">Granted by</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={`${entry.project.id}:${entry.user.id}`}>
              <td data-label="Project">{entry.project.full_path}</td>
              <td data-label="User">
                {entry.user.username}
                {entry.user.state !== 'active' && <span className="muted small"> ({entry.user.state})</span>}
              </td>
              <td data-label="Access level">{levelName(entry.access_level)}</td>
              <td data-label="Membership">{entry.inherited_from ? `Inherited from ${entry.inherited_from.full_path}` : 'Direct'}</td>
              <td data-label="Granted">
                {entry.granted ? (
                  <DateTime iso={entry.granted.granted_at} />
                ) : (
                  <span title="The audit log holds no event that granted this level: the membership is older than the log.">Unknown</span>
                )}
              </td>
              <td data-label="Granted by" className="actor">
                {entry.granted ? (
                  <>
                    <ActorCell actor={entry.granted.granted_by} />
                    <span className="actor-kind muted small">via {viaLabel(entry.granted.via)}</span>
                  </>
                ) : (
                  'Unknown'
                )}
              </td>
              <td data-label="Expires">{entry.expires_at ?? 'never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
