import { useState, type FormEvent } from 'react';
import { api, apiPath, enc } from '../api';
import { usePackageFormats } from '../packages/package-formats';
import { useSession } from '../session';
import type { PackageSettingsView } from '../types';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote } from '../ui/write-access';
import { RegexSettingField, sentPattern } from './RegexSettingField';
import { settingsBlock, settingsRefusal } from './settings-access';

// The settings the formats declare, yes/no or a regular expression (GET /package_formats lists
// them with their kinds and descriptions), set on a group or user namespace and inherited below it.
// The UI names no format and no setting: a new format's settings show up here without a change.

const CHOICES = [
  { value: 'inherit', label: 'Inherit' },
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

/** A value in effect as it reads: yes/no, or the pattern ('' is no pattern). */
const shown = (kind: 'boolean' | 'regex', value: unknown) => (kind === 'boolean' ? (value === true ? 'yes' : 'no') : value === '' ? 'none' : String(value));
const sourceText = (source: unknown) => (source === 'default' ? 'the format’s default' : String(source));

/** What a select's value sends: true, false, or null (inherit). */
const sent = (value: FormDataEntryValue | null) => (value === 'true' ? true : value === 'false' ? false : null);

export function FormatSettings({ kind, fullPath }: { kind: 'groups' | 'namespaces'; fullPath: string }) {
  const path = apiPath(`/${kind}/${enc(fullPath)}/packages/settings`);
  const formats = usePackageFormats().filter((format) => format.settings.length > 0);
  const [settings, reload] = useApi<PackageSettingsView>(path);
  const [saved, setSaved] = useState<PackageSettingsView | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const { session } = useSession();
  const declared = formats.flatMap((format) => format.settings.map((setting) => ({ ...setting, format: format.display_name })));
  if (declared.length === 0) return null;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setMessage(null);
    try {
      const values = declared.map((s) => [s.key, s.kind === 'regex' ? sentPattern(form, s.key) : sent(form.get(s.key))]);
      setSaved(await api.put<PackageSettingsView>(path, Object.fromEntries(values)));
      setMessage({ ok: true, text: 'Saved. The change is recorded in the audit log.' });
    } catch (error) {
      setMessage({ ok: false, text: settingsRefusal(error) });
    }
  };

  return (
    <section aria-labelledby="format-settings-heading" className="panel">
      <h2 id="format-settings-heading">Package format settings</h2>
      <Loaded loadable={settings} retry={reload} what="Loading settings">
        {(loaded) => {
          const current = saved ?? loaded;
          const explain = ({ key, kind }: { key: string; kind: 'boolean' | 'regex' }) => (
            <p className="muted small">
              <strong>In effect: {shown(kind, current[`${key}_effective`])}</strong> (from {sourceText(current[`${key}_source`])}
              {current[key] === null ? '' : ', set here'}).
            </p>
          );
          const blocked = settingsBlock(session, loaded.can_update, kind, fullPath);
          if (blocked) {
            return (
              <>
                <ReadOnlyNote>{blocked}</ReadOnlyNote>
                {declared.map((s) => (
                  <div key={s.key}>
                    <h3>
                      {s.format}: <code>{s.key}</code>
                    </h3>
                    <p>{s.description}</p>
                    {explain(s)}
                  </div>
                ))}
              </>
            );
          }
          return (
            <form onSubmit={submit} key={JSON.stringify(current)}>
              {declared.map((s) => (
                <fieldset key={s.key}>
                  <legend>
                    {s.format}: <code>{s.key}</code>
                  </legend>
                  <p className="small">{s.description}</p>
                  {s.kind === 'regex' ? (
                    <RegexSettingField settingKey={s.key} value={typeof current[s.key] === 'string' ? (current[s.key] as string) : null} />
                  ) : (
                    <label>
                      Setting
                      <select name={s.key} defaultValue={current[s.key] === null || current[s.key] === undefined ? 'inherit' : String(current[s.key])}>
                        {CHOICES.map((choice) => (
                          <option key={choice.value} value={choice.value}>
                            {choice.label}
                          </option>
                        ))}
                      </select>
                    </label>
                  )}
                  {explain(s)}
                </fieldset>
              ))}
              {message && (
                <p className={`state ${message.ok ? 'ok' : 'error'}`} role={message.ok ? 'status' : 'alert'}>
                  {message.text}
                </p>
              )}
              <button type="submit" className="primary">
                Save format settings
              </button>
            </form>
          );
        }}
      </Loaded>
    </section>
  );
}
