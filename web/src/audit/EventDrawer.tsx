import { useEffect, useRef } from 'react';
import { pipelineText } from '../packages/published-by';
import type { AuditEvent } from '../types';
import { Link, routes } from '../router';
import { DateTime } from '../ui/date-time';
import { ActorCell } from './ActorCell';
import { formatLabelIn, usePackageFormats } from '../packages/package-formats';
import { eventLabel, viaText } from './labels';

/** The whole record of one event: a summary, then the JSON exactly as the API returns it. */
export function EventDrawer({ event, onClose }: { event: AuditEvent; onClose: () => void }) {
  const formats = usePackageFormats();
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [onClose]);
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2 id="drawer-title">{eventLabel(event.event_name)}</h2>
          <button type="button" ref={closeButton} onClick={onClose}>
            Close
          </button>
        </header>
        <dl className="facts">
          <dt>Event name</dt>
          <dd>
            <code>{event.event_name}</code>
          </dd>
          <dt>Time</dt>
          <dd>
            <DateTime iso={event.created_at} />
          </dd>
          <dt>Outcome</dt>
          <dd>
            {event.outcome === 'failure' ? 'Failure' : 'Success'}
            {event.reason ? ` (${event.reason})` : ''}
          </dd>
          <dt>Actor</dt>
          <dd className="actor">
            <ActorCell actor={event.actor} /> <code className="small">{event.actor.type}</code>
          </dd>
          <dt>Via</dt>
          <dd>
            {viaText(event.via, event.client)} <code className="small">{event.via}</code>
          </dd>
          {event.pipeline && (
            <>
              <dt>Pipeline</dt>
              <dd>{pipelineText(event.pipeline)}</dd>
            </>
          )}
          {event.package && (
            <>
              <dt>Package</dt>
              <dd>
                {formatLabelIn(formats, event.package.format)} · {event.package.name}
                {event.package.version ? ` ${event.package.version}` : ''}
                {/* Its page says what became of it (deleted, restorable until when) if it is gone. */}
                {event.package.id !== null && event.project && (
                  <>
                    {' · '}
                    <Link to={routes.pkg(event.project.full_path, event.package.id)}>Open the version’s page</Link>
                  </>
                )}
              </dd>
            </>
          )}
          <dt>Target</dt>
          <dd>{event.details.target_details}</dd>
          <dt>Message</dt>
          <dd>{event.details.custom_message}</dd>
          <dt>IP address</dt>
          <dd>{event.details.ip_address ?? '—'}</dd>
          <dt>Seq / UUID</dt>
          <dd>
            {event.seq} / <code>{event.uuid}</code>
          </dd>
        </dl>
        <h3>Full record</h3>
        <pre className="json" tabIndex={0} aria-label="Full record as JSON">
          {JSON.stringify(event, null, 2)}
        </pre>
      </aside>
    </div>
  );
}
