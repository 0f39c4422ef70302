import { useState } from 'react';
import { api, apiPath, enc } from '../api';
import type { Package } from '../types';
import { Refusal } from '../ui/refusal';
import { HoldDetails } from './HoldDetails';
import { HoldForm } from './HoldForm';

/**
 * A version's legal hold: what holds it (the version itself, its name or the project), and for
 * owners "Hold" or "Release". A hold on the name or the project is released where it was set.
 */
export function VersionHold({ projectPath, pkg, owner, onChange }: { projectPath: string; pkg: Package; owner: boolean; onChange: () => void }) {
  const [holding, setHolding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const holdPath = apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/legal_hold`);
  const hold = pkg.legal_hold;

  const release = async () => {
    setError(null);
    try {
      if (hold?.scope === 'name') {
        await api.delete(apiPath(`/projects/${enc(projectPath)}/packages/legal_holds`, { package_type: pkg.package_type, package_name: pkg.name }));
      } else {
        await api.delete(holdPath);
      }
      onChange();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  if (!hold && !owner) return null;
  return (
    <section className={hold ? 'legal-hold held' : 'legal-hold'} aria-label={`Legal hold of ${pkg.version}`}>
      {hold ? (
        <div role="note">
          <span className="badge hold-badge">legal hold</span> <HoldDetails hold={hold} />
          <p className="muted small">Nobody can delete this version or change its files until the hold is released.</p>
        </div>
      ) : null}
      {owner && hold && hold.scope !== 'project' && (
        <button type="button" onClick={() => void release()}>
          {hold.scope === 'name' ? `Release (every version of ${pkg.name})` : 'Release'}
        </button>
      )}
      {owner && hold?.scope === 'project' && <p className="muted small">Released on the project’s page.</p>}
      {owner && !hold && !holding && (
        <button type="button" onClick={() => setHolding(true)}>
          Hold
        </button>
      )}
      {holding && (
        <HoldForm
          submitLabel={`Hold ${pkg.version}`}
          onCancel={() => setHolding(false)}
          onSubmit={async (terms) => {
            await api.put(holdPath, terms);
            setHolding(false);
            onChange();
          }}
        />
      )}
      <Refusal message={error} />
    </section>
  );
}
