import { useState } from 'react';
import { api, apiPath, enc } from '../api';
import type { Package } from '../types';
import { HoldForm } from './HoldForm';

/**
 * For owners: hold every version of the package's name, present and future (released from any of
 * its versions). Shown while no hold on the name or project covers the current version.
 */
export function NameHold({ projectPath, pkg, onChange }: { projectPath: string; pkg: Package; onChange: () => void }) {
  const [holding, setHolding] = useState(false);
  if (pkg.legal_hold && pkg.legal_hold.scope !== 'version') return null;
  if (!holding) {
    return (
      <p>
        <button type="button" onClick={() => setHolding(true)}>
          Hold every version of {pkg.name}
        </button>
      </p>
    );
  }
  return (
    <HoldForm
      submitLabel={`Hold every version of ${pkg.name}`}
      onCancel={() => setHolding(false)}
      onSubmit={async (terms) => {
        await api.put(apiPath(`/projects/${enc(projectPath)}/packages/legal_holds`), { ...terms, package_type: pkg.package_type, package_name: pkg.name });
        setHolding(false);
        onChange();
      }}
    />
  );
}
