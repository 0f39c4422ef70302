import { useState, type FormEvent } from 'react';
import { FormFooter } from '../governance/FormFooter';
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

/**
 * Adds a trusted publisher or edits one (`publisher`); the API's refusal (a publisher that does not
 * name its repository, an issuer it will not trust) is shown under the form, which keeps its values.
 */
export function PublisherForm({ publisher, submitLabel, onSubmit, onCancel }: { publisher?: TrustedPublisher; submitLabel: string; onSubmit: (body: PublisherBody) => Promise<void>; onCancel?: () => void }) {
  const formats = usePackageFormats();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    setBusy(true);
    try {
      const audience = String(form.get('audience') ?? '').trim();
      const packageType = String(form.get('package_type') ?? '');
      const pattern = String(form.get('package_name_pattern') ?? '').trim();
      await onSubmit({
        issuer: String(form.get('issuer') ?? '').trim(),
        ...(audience ? { audience } : {}),
        claims: claimsOf(String(form.get('claims') ?? '')),
        package_type: packageType || null,
        package_name_pattern: pattern || null,
      });
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="rule-form" onSubmit={(event) => void submit(event)} aria-label={submitLabel}>
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
