import { useState } from 'react';
import type { LogIntegrity, Verification, VerificationRun } from '../../../src/contracts/audit-integrity.js';
import { apiPath, apiRequest } from '../api';
import { DateTime } from '../ui/date-time';
import { ErrorState, Loading } from '../ui/states';
import { useApi } from '../ui/use-api';

// The log integrity panel (docs/web-ui.md#log-integrity) on the instance audit page (administrators)
// and a group's (owners): the latest checkpoint and its key, the last verification and by whom,
// the checkpoint mirrors, the streaming destinations' backlogs and any open integrity alarm. An
// administrator verifies the log now from here; the run is an audit event, so the table reloads.

function verifiedBy(verification: Verification): string {
  return verification.verified_by.type === 'trove' ? 'Trove (self-check)' : (verification.verified_by.username ?? `user #${verification.verified_by.user_id}`);
}

function VerificationText({ verification }: { verification: Verification | null }) {
  if (!verification) return <>Not yet</>;
  return (
    <>
      <DateTime iso={verification.verified_at} /> by {verifiedBy(verification)},{' '}
      {verification.tree_size === 0 ? 'nothing signed before it' : `events 1..${verification.tree_size}`}:{' '}
      {verification.outcome === 'success' ? 'intact' : <span className="alarm">failed ({verification.reason})</span>}
    </>
  );
}

export function IntegrityPanel({ path, canVerify, onVerified }: { path: string; canVerify: boolean; onVerified: () => void }) {
  const [integrity, reload] = useApi<LogIntegrity>(apiPath(path));
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const verify = () => {
    setRunning(true);
    setError(null);
    apiRequest<VerificationRun>('POST', apiPath('/audit_events/verification'), {}).then(
      () => {
        setRunning(false);
        reload();
        onVerified();
      },
      (caught: Error) => {
        setRunning(false);
        setError(caught);
      },
    );
  };
  return (
    <section className="integrity-panel" aria-labelledby="integrity-heading">
      <h2 id="integrity-heading">Log integrity</h2>
      {integrity.state === 'loading' && <Loading what="Loading the log's integrity" />}
      {integrity.state === 'error' && <ErrorState error={integrity.error} retry={reload} />}
      {integrity.state === 'ready' && <IntegrityFigures integrity={integrity.data} />}
      {error && <ErrorState error={error} />}
      {canVerify && (
        <button type="button" onClick={verify} disabled={running}>
          {running ? 'Verifying…' : 'Verify the log now'}
        </button>
      )}
    </section>
  );
}

function IntegrityFigures({ integrity }: { integrity: LogIntegrity }) {
  const { checkpoint } = integrity;
  return (
    <>
      {integrity.open_alarms.map((alarm) => (
        <p key={alarm.id} className="alarm" role="alert" data-field="alarm">
          Integrity alarm since <DateTime iso={alarm.raised_at} />: {alarm.reason}
        </p>
      ))}
      <dl>
        <dt>Latest checkpoint</dt>
        <dd data-field="checkpoint">
          {checkpoint ? (
            <>
              {checkpoint.tree_size} events, signed <DateTime iso={checkpoint.created_at} /> with key {checkpoint.key_name} ({checkpoint.key_id})
            </>
          ) : (
            'None yet'
          )}
        </dd>
        <dt>Last verified</dt>
        <dd data-field="last-verification">
          <VerificationText verification={integrity.last_verification} />
        </dd>
        <dt>Verified by an administrator</dt>
        <dd data-field="administrator-verification">
          <VerificationText verification={integrity.administrator_verification} />
        </dd>
        {integrity.mirrors && (
          <>
            <dt>Checkpoint mirrors</dt>
            <dd data-field="mirrors">
              {integrity.mirrors.length === 0
                ? 'None configured'
                : integrity.mirrors.map((m) => (
                    <div key={m.location}>
                      Folder {m.location}: {m.state.replace(/_/g, ' ')}
                      {m.tree_size !== null && `, ${m.tree_size} events`}
                      {m.last_error && ` (${m.last_error})`}
                    </div>
                  ))}
            </dd>
          </>
        )}
        <dt>Open integrity alarms</dt>
        <dd data-field="alarms">{integrity.open_alarms.length}</dd>
      </dl>
      <div className="destinations">
      <table aria-label="Streaming destinations">
        <thead>
          <tr>
            <th scope="col">Streaming destination</th>
            <th scope="col">Active</th>
            <th scope="col">Backlog</th>
            <th scope="col">Dead letters</th>
            <th scope="col">Last delivered</th>
          </tr>
        </thead>
        <tbody>
          {integrity.streaming_destinations.length === 0 && (
            <tr>
              <td colSpan={5}>None</td>
            </tr>
          )}
          {integrity.streaming_destinations.map((d) => (
            <tr key={d.id}>
              <th scope="row">{d.name}</th>
              <td>{d.active ? 'yes' : 'no'}</td>
              <td>{d.status.backlog}</td>
              <td>{d.status.dead_letters}</td>
              <td>
                <DateTime iso={d.status.last_delivered_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </>
  );
}
