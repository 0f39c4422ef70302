import type { FormEvent } from 'react';
import { EVENT_NAMES, isoToLocalInput, localInputToIso, VIAS, type AuditQuery } from './audit-filters';
import { eventLabel } from './AuditTable';

/** Date range, event names, author, package, via, outcome (and subgroups for a group). */
export function AuditFiltersForm({ filters, withSubgroups, onApply }: { filters: AuditQuery; withSubgroups: boolean; onApply: (next: AuditQuery) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    onApply({
      created_after: localInputToIso(String(form.get('created_after') ?? '')),
      created_before: localInputToIso(String(form.get('created_before') ?? '')),
      event_name: form.getAll('event_name').map(String),
      author_username: text('author_username'),
      package_name: text('package_name'),
      via: text('via'),
      outcome: text('outcome'),
      include_subgroups: withSubgroups && form.get('include_subgroups') ? 'true' : undefined,
    });
  };
  const selectedNames = new Set(Array.isArray(filters.event_name) ? filters.event_name : []);
  // key: a new URL (back button, shared link) re-renders the form with its values.
  return (
    <form className="filters audit-filters" aria-label="Filter audit events" onSubmit={submit} key={JSON.stringify(filters)}>
      <label>
        From
        <input type="datetime-local" name="created_after" defaultValue={isoToLocalInput(filters.created_after as string | undefined)} />
      </label>
      <label>
        To
        <input type="datetime-local" name="created_before" defaultValue={isoToLocalInput(filters.created_before as string | undefined)} />
      </label>
      <label className="events">
        Event names
        <select name="event_name" multiple size={4} defaultValue={[...selectedNames]} aria-describedby="event-names-help">
          {EVENT_NAMES.map((name) => (
            <option key={name} value={name}>
              {eventLabel(name)}
            </option>
          ))}
        </select>
        <small id="event-names-help" className="muted">
          Ctrl/⌘-click or Shift+arrows to choose several; none means all.
        </small>
      </label>
      <label>
        Author (username)
        <input name="author_username" defaultValue={(filters.author_username as string) ?? ''} />
      </label>
      <label>
        Package name
        <input name="package_name" defaultValue={(filters.package_name as string) ?? ''} />
      </label>
      <label>
        Via
        <select name="via" defaultValue={(filters.via as string) ?? ''}>
          <option value="">Any</option>
          {VIAS.map((via) => (
            <option key={via} value={via}>
              {via}
            </option>
          ))}
        </select>
      </label>
      <label>
        Outcome
        <select name="outcome" defaultValue={(filters.outcome as string) ?? ''}>
          <option value="">Any</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
        </select>
      </label>
      {withSubgroups && (
        <label className="checkbox">
          <input type="checkbox" name="include_subgroups" defaultChecked={filters.include_subgroups === 'true'} />
          Include subgroups
        </label>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => onApply({})}>
          Clear
        </button>
      </div>
    </form>
  );
}
