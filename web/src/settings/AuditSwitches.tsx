import { useState, type FormEvent } from 'react';
import { api, ApiError, apiPath, enc } from '../api';
import { Link, routes } from '../router';
import { useSession } from '../session';
import type { PackageSettingsView } from '../types';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';

type Settings = PackageSettingsView;

const SWITCHES = [
  { key: 'package_audit_events', label: 'Package audit events', help: 'Record who published, changed or deleted packages. Credential, settings and export events are always recorded.' },
  { key: 'package_download_events', label: 'Download events', help: 'Also record every package file download (needs package audit events).' },
] as const;

function sourceText(source: string): string {
  return source === 'instance' ? 'the instance default' : `${source}`;
}

/** package_audit_events / package_download_events of a group or user namespace (owners change them). */
export function AuditSwitches({ kind, fullPath }: { kind: 'groups' | 'namespaces'; fullPath: string }) {
  const path = apiPath(`/${kind}/${enc(fullPath)}/packages/settings`);
  const [settings, reload] = useApi<Settings>(path);
  const [saved, setSaved] = useState<Settings | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const { session } = useSession();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setMessage(null);
    try {
      const next = await api.put<Settings>(path, Object.fromEntries(SWITCHES.map((s) => [s.key, String(form.get(s.key))])));
      setSaved(next);
      setMessage({ ok: true, text: 'Saved. The change is recorded in the audit log.' });
    } catch (error) {
      // A bare 403 means "not an owner"; a 403 with a reason (enforced by the instance, top-level owners only) says it.
      const bare = error instanceof ApiError && error.status === 403 && /^403 Forbidden$/.test(error.message);
      setMessage({ ok: false, text: bare ? 'Only owners can change these settings.' : (error as Error).message });
    }
  };

  return (
    <section aria-labelledby="audit-settings-heading" className="panel">
      <h2 id="audit-settings-heading">Audit settings</h2>
      <Loaded loadable={settings} retry={reload} what="Loading settings">
        {(loaded) => {
          const current = saved ?? loaded;
          const explain = (key: (typeof SWITCHES)[number]['key'], help: string) => (
            <p className="muted small">
              Inherited value: {current[`${key}_inherited`]} (from {sourceText(current[`${key}_inherited_source`])}).{' '}
              <strong>In effect: {current[`${key}_effective`]}</strong>
              {current[key] === 'inherit' ? '' : ' (set here)'}. {help}
              {key === 'package_audit_events' && current.package_audit_events_enforced === true && ' Enforced by the instance: nobody can disable them.'}
            </p>
          );
          // No form for a sign-in whose change would be refused: say why instead (the token's scope first, then the role).
          const blocked =
            tokenScopeBlock(session, 'changing settings') ??
            (loaded.can_update === false ? `Only ${kind === 'groups' ? `owners of the group ${fullPath}` : `the owner of ${fullPath}`} can change these settings.` : null);
          if (blocked) {
            return (
              <>
                <ReadOnlyNote>{blocked}</ReadOnlyNote>
                {SWITCHES.map((s) => (
                  <div key={s.key}>
                    <h3>{s.label}</h3>
                    <p>Set here: {String(current[s.key])}</p>
                    {explain(s.key, s.help)}
                  </div>
                ))}
              </>
            );
          }
          return (
            <form onSubmit={submit} key={JSON.stringify(current)}>
              {SWITCHES.map((s) => (
                <fieldset key={s.key}>
                  <legend>{s.label}</legend>
                  <label>
                    Setting
                    <select name={s.key} defaultValue={String(current[s.key])}>
                      <option value="inherit">Inherit</option>
                      <option value="enabled">Enabled</option>
                      <option value="disabled">Disabled</option>
                    </select>
                  </label>
                  {explain(s.key, s.help)}
                </fieldset>
              ))}
              {message && (
                <p className={`state ${message.ok ? 'ok' : 'error'}`} role={message.ok ? 'status' : 'alert'}>
                  {message.text} {message.ok && kind === 'groups' && <Link to={routes.audit('groups', fullPath)}>Open the audit log</Link>}
                </p>
              )}
              <button type="submit" className="primary">
                Save audit settings
              </button>
            </form>
          );
        }}
      </Loaded>
    </section>
  );
}
