import { useState, type FormEvent } from 'react';
import { api, apiPath, enc } from '../api';
import { Link, routes } from '../router';
import { useSession } from '../session';
import type { PackageSettingsView } from '../types';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote } from '../ui/write-access';
import { settingsBlock, settingsRefusal } from './settings-access';

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
      setMessage({ ok: false, text: settingsRefusal(error) });
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
          // No form for a sign-in whose change would be refused: say why instead.
          const blocked = settingsBlock(session, loaded.can_update, kind, fullPath);
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
