import { usePackageFormats } from '../packages/package-formats';
import type { ProtectionRule } from '../types';
import { FormFooter } from './FormFooter';
import { useFormSubmit } from './use-form-submit';

/** The levels a rule may require; "" is no requirement (GitLab's null). */
const LEVELS = [
  { value: '', label: 'No restriction' },
  { value: 'maintainer', label: 'Maintainer' },
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Administrator' },
];

export const levelText = (level: string | null) => LEVELS.find((l) => l.value === (level ?? ''))?.label ?? String(level);

export type RuleBody = Pick<ProtectionRule, 'package_name_pattern' | 'package_type' | 'minimum_access_level_for_push' | 'minimum_access_level_for_delete' | 'allow_deploy_tokens'>;

const level = (value: FormDataEntryValue | null) => (value ? (String(value) as ProtectionRule['minimum_access_level_for_push']) : null);

/** Adds a rule or edits one (`rule`); the API's refusal is shown under the form and the form keeps its values. */
export function RuleForm({ rule, submitLabel, onSubmit, onCancel }: { rule?: ProtectionRule; submitLabel: string; onSubmit: (body: RuleBody) => Promise<void>; onCancel?: () => void }) {
  const formats = usePackageFormats();
  const read = (form: FormData): RuleBody => ({
    package_name_pattern: String(form.get('package_name_pattern') ?? '').trim(),
    package_type: String(form.get('package_type') ?? ''),
    minimum_access_level_for_push: level(form.get('minimum_access_level_for_push')),
    minimum_access_level_for_delete: level(form.get('minimum_access_level_for_delete')),
    allow_deploy_tokens: form.get('allow_deploy_tokens') === 'on',
  });
  const { busy, error, onSubmit: submit } = useFormSubmit(read, onSubmit);
  return (
    <form className="rule-form" onSubmit={submit} aria-label={submitLabel}>
      <label>
        Package name pattern (<code>*</code> matches anything)
        <input name="package_name_pattern" required maxLength={255} defaultValue={rule?.package_name_pattern ?? ''} placeholder="@acme/*" />
      </label>
      <label>
        Format
        <select name="package_type" defaultValue={rule?.package_type ?? 'npm'} key={`t${formats.length}`}>
          {formats.map((f) => (
            <option key={f.name} value={f.name}>
              {f.display_name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Minimum role to publish
        <select name="minimum_access_level_for_push" defaultValue={rule?.minimum_access_level_for_push ?? 'maintainer'}>
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Minimum role to delete
        <select name="minimum_access_level_for_delete" defaultValue={rule?.minimum_access_level_for_delete ?? ''}>
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      <label className="checkbox">
        <input type="checkbox" name="allow_deploy_tokens" defaultChecked={rule?.allow_deploy_tokens ?? false} />
        Deploy tokens may publish and delete
      </label>
      <FormFooter busy={busy} submitLabel={submitLabel} onCancel={onCancel} error={error} />
    </form>
  );
}
