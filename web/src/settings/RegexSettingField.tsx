import { useState } from 'react';

// A regex format setting's input (GitLab's <format>_duplicate_exception_regex): inherit, or a
// pattern set here ('' is a value too: no exception here, whatever the namespace above says).
// Typing a pattern switches to "Set here", so a pattern is never silently dropped.

/** The form fields' names: `<key>` holds the pattern, `<key>:mode` whether it is set here. */
export const modeField = (key: string) => `${key}:mode`;

/** What the form sends for a regex setting: the pattern, or null (inherit). */
export const sentPattern = (form: FormData, key: string) => (form.get(modeField(key)) === 'set' ? String(form.get(key) ?? '') : null);

export function RegexSettingField({ settingKey, value }: { settingKey: string; value: string | null }) {
  const [mode, setMode] = useState(value === null ? 'inherit' : 'set');
  return (
    <>
      <label>
        Setting
        <select name={modeField(settingKey)} value={mode} onChange={(event) => setMode(event.target.value)}>
          <option value="inherit">Inherit</option>
          <option value="set">Set here</option>
        </select>
      </label>
      <label>
        Regular expression
        <input name={settingKey} type="text" maxLength={255} defaultValue={value ?? ''} spellCheck={false} onChange={() => setMode('set')} />
      </label>
    </>
  );
}
