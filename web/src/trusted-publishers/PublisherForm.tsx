import { FormFooter } from '../governance/FormFooter';
import { useFormSubmit } from '../governance/use-form-submit';
import { usePackageFormats } from '../packages/package-formats';
import type { TrustedPublisher } from '../types';

export type PublisherBody = Pick<TrustedPublisher, 'issuer' | 'claims' | 'package_type' | 'package_name_pattern'> & { audience?: string };

/** Claims as the form writes them: one `name=condition` per line. */
export const claimLines = (claims: Record<string, string>) =>
  Object.entries(claims)
    .map(([name, condition]) => `${name}=${condition}`)
    .join('\n');

/** The lines back into an object; a line without `=` is refused here rather than sent half-read. */
function claimsOf(text: string): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`Claim conditions are written name=value, one per line: “${line}”`);
    claims[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return claims;
}

/** The form's values as the API takes them; an empty audience is left to the API's default. */
function bodyOf(form: FormData): PublisherBody {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  return {
    issuer: text('issuer'),
    ...(text('audience') ? { audience: text('audience') } : {}),
    claims: claimsOf(text('claims')),
    package_type: text('package_type') || null,
    package_name_pattern: text('package_name_pattern') || null,
  };
}

/**
 * Adds a trusted publisher or edits one (`publisher`); the API's refusal (a publisher that does not
 * name its repository, an issuer it will not trust) is shown under the form, which keeps its values.
 */
export function PublisherForm({ publisher, submitLabel, onSubmit, onCancel }: { publisher?: TrustedPublisher; submitLabel: string; onSubmit: (body: PublisherBody) => Promise<void>; onCancel?: () => void }) {
  const formats = usePackageFormats();
  const { busy, error, onSubmit: submit } = useFormSubmit(bodyOf, onSubmit);
  return (
    <form className="rule-form" onSubmit={submit} aria-label={submitLabel}>
      <label>
        Issuer (exactly the tokens’ <code>iss</code>)
        <input name="issuer" required maxLength={255} defaultValue={publisher?.issuer ?? ''} placeholder="https://gitlab.com" />
      </label>
      <label>
        Audience (empty: this Trove’s URL)
        <input name="audience" maxLength={255} defaultValue={publisher?.audience ?? ''} />
      </label>
      <label>
        Claim conditions, one <code>name=value</code> per line (<code>*</code> matches anything)
        <textarea name="claims" required rows={4} defaultValue={publisher ? claimLines(publisher.claims) : ''} placeholder={'project_path=acme/web-app\nref_protected=true'} />
      </label>
      <label>
        Format
        <select name="package_type" defaultValue={publisher?.package_type ?? ''} key={`t${formats.length}`}>
          <option value="">Any</option>
          {formats.map((f) => (
            <option key={f.name} value={f.name}>
              {f.display_name}
            </option>
          ))}
          <option value="container">Container images</option>
        </select>
      </label>
      <label>
        Package name pattern (empty: any)
        <input name="package_name_pattern" maxLength={255} defaultValue={publisher?.package_name_pattern ?? ''} placeholder="@acme/*" />
      </label>
      <FormFooter busy={busy} submitLabel={submitLabel} onCancel={onCancel} error={error} />
    </form>
  );
}
