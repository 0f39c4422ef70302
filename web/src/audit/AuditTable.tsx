import { useState } from 'react';
import { actorText, clientText } from '../packages/published-by';
import type { AuditEvent } from '../types';
import { DateTime } from '../ui/date-time';
import { Empty, ErrorState, Loading } from '../ui/states';
import { EventDrawer } from './EventDrawer';
import type { KeysetEvents } from './use-keyset-events';

export function tokenText(event: AuditEvent): string {
  const { actor } = event;
  if (!actor.token_name) return '—';
  return actor.type === 'deploy_token' ? `deploy token “${actor.token_name}”` : actor.type === 'job_token' ? actor.token_name : `“${actor.token_name}”`;
}

/** Deploy tokens have only a generated username: name their owner instead. */
function actorCell(event: AuditEvent): string {
  const { actor } = event;
  if (actor.type === 'deploy_token') return `deploy token of ${actor.token_owner_path}`;
  return actor.username ?? actorText(actor);
}

export const eventLabel = (name: string) => name.replace(/^package_registry_/, '').replaceAll('_', ' ');

/** Time, event, actor, token, via/client, target, outcome; a row opens the whole record. */
export function AuditTable({ list, emptyText }: { list: KeysetEvents; emptyText: string }) {
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  if (list.state === 'error' && list.error) return <ErrorState error={list.error} retry={list.reload} />;
  if (list.state === 'loading' && list.events.length === 0) return <Loading what="Loading audit events" />;
  if (list.events.length === 0) return <Empty>{emptyText}</Empty>;
  return (
    <>
      <div className="table-wrap">
        <table className="audit">
          <caption className="sr-only">Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Actor</th>
              <th scope="col">Token</th>
              <th scope="col">Via / client</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {list.events.map((event) => (
              <tr key={event.id} className={event.outcome === 'failure' ? 'failed' : undefined}>
                <td>
                  <DateTime iso={event.created_at} />
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(event)} aria-haspopup="dialog" title={event.event_name}>
                    {eventLabel(event.event_name)}
                  </button>
                </td>
                <td>{actorCell(event)}</td>
                <td>{tokenText(event)}</td>
                <td>{clientText(event.via, event.client)}</td>
                <td className="wrap">{event.details.target_details}</td>
                <td>
                  <span className={`badge ${event.outcome}`}>{event.outcome}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        {list.hasMore ? (
          <button type="button" onClick={list.loadMore} disabled={list.state === 'loading'}>
            {list.state === 'loading' ? 'Loading…' : 'Load older events'}
          </button>
        ) : (
          <span className="muted small">{list.events.length} events, the whole log for these filters.</span>
        )}
      </div>
      {selected && <EventDrawer event={selected} onClose={() => setSelected(null)} />}
    </>
  );
}
