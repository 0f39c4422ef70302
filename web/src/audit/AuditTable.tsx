import { useState } from 'react';
import type { Actor, AuditEvent } from '../types';
import { ActorCell } from './ActorCell';
import { DateTime } from '../ui/date-time';
import { Empty, ErrorState, Loading } from '../ui/states';
import { EventDrawer } from './EventDrawer';
import { eventLabel, viaText } from './labels';
import type { KeysetEvents } from './use-keyset-events';

/**
 * Time, event, actor, via/client, target, outcome; a row opens the whole record. With
 * `onFilterToken`, a token actor offers "only this token" (the page sets token_type and token_id).
 */
export function AuditTable({ list, emptyText, onFilterToken }: { list: KeysetEvents; emptyText: string; onFilterToken?: (actor: Actor) => void }) {
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
                <td className="actor">
                  <ActorCell actor={event.actor} />
                  {onFilterToken && event.actor.token_id !== null && event.actor.type !== 'system' && (
                    <button type="button" className="link small" onClick={() => onFilterToken(event.actor)}>
                      Only this token
                    </button>
                  )}
                </td>
                <td title={event.via}>{viaText(event.via, event.client)}</td>
                <td className="wrap">{event.details.target_details}</td>
                <td>
                  <span className={`badge ${event.outcome}`}>{event.outcome === 'failure' ? 'Failure' : 'Success'}</span>
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

// Where other pages found it before labels.ts existed.
export { eventLabel } from './labels';
