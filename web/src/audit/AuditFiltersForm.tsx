import type { FormEvent } from 'react';
import { ACTIVITY_KIND_LABELS, ACTIVITY_KINDS } from '../../../src/contracts/activity-kinds.js';
import { localZoneName } from '../ui/date-time';
import { EVENT_GROUPS, includesSubgroups, isoToLocalInput, localInputToIso, VIAS, type AuditQuery } from './audit-filters';
import { usePackageFormats } from '../packages/package-formats';
import { actorTypeLabel, eventLabel, TOKEN_TYPES, viaLabel } from './labels';

export interface ProjectOption {
  id: number;
  full_path: string;
}

/** The projects offered, and the one in the URL if it is not among them (a shared link, a long list). */
function withCurrent(projects: ProjectOption[], current: string): ProjectOption[] {
  if (!current || projects.some((p) => String(p.id) === current)) return projects;
  return [...projects, { id: Number(current), full_path: `project #${current}` }];
}

/**
 * Date range, event names, author, token, package, format, project, via, outcome (and subgroups
 * for a group). `projects`: the projects to offer in the project filter (none: no project filter).
 */
export function AuditFiltersForm({
  filters,
  withSubgroups,
  onApply,
  projects,
}: {
  filters: AuditQuery;
  withSubgroups: boolean;
  onApply: (next: AuditQuery) => void;
  projects?: ProjectOption[];
}) {
  const formats = usePackageFormats();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const tokenId = text('token_id');
    onApply({
      created_after: localInputToIso(String(form.get('created_after') ?? '')),
      created_before: localInputToIso(String(form.get('created_before') ?? '')),
      event_name: form.getAll('event_name').map(String),
      author: text('author'),
      // Token ids are numbered per kind: an id alone would mix deploy token 1 with personal token 1.
      token_type: text('token_type'),
      token_id: tokenId,
      package_name: text('package_name'),
      package_format: text('package_format'),
      project_id: text('project_id'),
      via: text('via'),
      outcome: text('outcome'),
      event_kind: text('event_kind'),
      include_subgroups: withSubgroups && !form.get('include_subgroups') ? 'false' : undefined,
    });
  };
  // An id needs its kind: the browser says so before the form is sent.
  const checkTokenKind = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const kind = form.elements.namedItem('token_type') as HTMLSelectElement;
    const id = form.elements.namedItem('token_id') as HTMLInputElement;
    kind.setCustomValidity(id.value.trim() && !kind.value ? 'Choose the kind of token: ids are numbered per kind.' : '');
  };
  const selectedNames = new Set(Array.isArray(filters.event_name) ? filters.event_name : []);
  const value = (name: string) => (filters[name] as string | undefined) ?? '';
  const zone = localZoneName();
  // key: a new URL (back button, shared link) re-renders the form with its values.
  return (
    <form className="filters audit-filters" aria-label="Filter audit events" onSubmit={submit} onInput={checkTokenKind} key={JSON.stringify(filters)}>
      <label>
        From ({zone})
        <input type="datetime-local" name="created_after" defaultValue={isoToLocalInput(filters.created_after as string | undefined)} />
      </label>
      <label>
        To ({zone})
        <input type="datetime-local" name="created_before" defaultValue={isoToLocalInput(filters.created_before as string | undefined)} />
      </label>
      <label className="events">
        Event names
        <select name="event_name" multiple size={4} defaultValue={[...selectedNames]} aria-describedby="event-names-help">
          {EVENT_GROUPS.map((group) => (
            <optgroup key={group.category} label={group.label}>
              {group.names.map((name) => (
                <option key={name} value={name} title={name}>
                  {eventLabel(name)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <small id="event-names-help" className="muted">
          Ctrl/⌘-click or Shift+arrows to choose several; none means all.
        </small>
      </label>
      <label>
        Author (username or token name)
        <input name="author" defaultValue={value('author') || value('author_username')} />
      </label>
      <fieldset className="token-filter">
        <legend>Token</legend>
        <label>
          Token kind
          <select name="token_type" defaultValue={value('token_type')}>
            <option value="">Any</option>
            {TOKEN_TYPES.map((type) => (
              <option key={type} value={type}>
                {actorTypeLabel(type)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Token ID
          <input name="token_id" inputMode="numeric" pattern="[0-9]+" size={6} defaultValue={value('token_id')} />
        </label>
      </fieldset>
      <label>
        Package name
        <input name="package_name" defaultValue={value('package_name')} />
      </label>
      <label>
        Format
        {/* Keyed by the list, so a format named in the URL is selected once the list has loaded. */}
        <select name="package_format" defaultValue={value('package_format')} key={formats.length}>
          <option value="">Any</option>
          {formats.map((format) => (
            <option key={format.name} value={format.name}>
              {format.display_name}
            </option>
          ))}
        </select>
      </label>
      {projects && (
        <label>
          Project
          <select name="project_id" defaultValue={value('project_id')}>
            <option value="">Any</option>
            {withCurrent(projects, value('project_id')).map((project) => (
              <option key={project.id} value={String(project.id)}>
                {project.full_path}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Via
        <select name="via" defaultValue={value('via')}>
          <option value="">Any</option>
          {VIAS.map((via) => (
            <option key={via} value={via}>
              {viaLabel(via)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Outcome
        <select name="outcome" defaultValue={value('outcome')}>
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
        </select>
      </label>
      <label>
        Activity kind
        <select name="event_kind" defaultValue={value('event_kind')}>
          <option value="">Any</option>
          {ACTIVITY_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {ACTIVITY_KIND_LABELS[kind]}
            </option>
          ))}
        </select>
      </label>
      {withSubgroups && (
        <label className="checkbox">
          <input type="checkbox" name="include_subgroups" defaultChecked={includesSubgroups(filters)} />
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
