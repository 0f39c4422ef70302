import { useState } from 'react';
import { api, apiPath, enc } from '../api';
import { Link, routes } from '../router';
import type { LegalHold } from '../types';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { HoldDetails } from './HoldDetails';
import { HoldForm } from './HoldForm';
import { useHoldsOwner } from './hold-access';

/** What a hold in the list covers, in words, with a link to a held version. */
function Covers({ projectPath, hold }: { projectPath: string; hold: LegalHold }) {
  if (hold.scope === 'project') return <>the whole project</>;
  if (hold.scope === 'name') return <>every version of {hold.package_name} ({hold.package_type})</>;
  return (
    <>
      {hold.package_id !== null ? <Link to={routes.pkg(projectPath, hold.package_id)}>{`${hold.package_name}@${hold.package_version}`}</Link> : hold.package_name} ({hold.package_type})
    </>
  );
}

/**
 * A project's legal holds: a banner while the whole project is held, the list of holds in force
 * (GET /projects/:id/legal_holds), and for owners the project hold's set and release.
 */
export function ProjectLegalHolds({ projectPath }: { projectPath: string }) {
  const holdsPath = apiPath(`/projects/${enc(projectPath)}/legal_holds`, { per_page: '100' });
  const projectHoldPath = apiPath(`/projects/${enc(projectPath)}/legal_hold`);
  const [holds, reload] = useApi<LegalHold[]>(holdsPath);
  const [holding, setHolding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const owner = useHoldsOwner(projectPath);

  const release = async () => {
    setError(null);
    try {
      await api.delete(projectHoldPath);
      reload();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <Loaded loadable={holds} retry={reload} what="Loading legal holds">
      {(list) => {
        const projectHold = list.find((h) => h.scope === 'project');
        if (list.length === 0 && !owner) return null;
        return (
          <section className="panel legal-holds" aria-labelledby="legal-holds-heading">
            <h2 id="legal-holds-heading">Legal holds</h2>
            {projectHold && (
              <div className="state hold-banner" role="note" aria-label="Project legal hold">
                <p>
                  <strong>This whole project is under legal hold:</strong> none of its versions can be deleted or changed until the hold is released.
                </p>
                <HoldDetails hold={projectHold} />
              </div>
            )}
            {list.length > 0 && (
              <ul className="holds">
                {list.map((hold) => (
                  <li key={hold.id}>
                    <Covers projectPath={projectPath} hold={hold} />: <HoldDetails hold={hold} covers={null} />
                  </li>
                ))}
              </ul>
            )}
            {owner && projectHold && (
              <button type="button" onClick={() => void release()}>
                Release project hold
              </button>
            )}
            {owner && !projectHold && !holding && (
              <button type="button" onClick={() => setHolding(true)}>
                Hold the whole project
              </button>
            )}
            {holding && (
              <HoldForm
                submitLabel="Hold project"
                onCancel={() => setHolding(false)}
                onSubmit={async (terms) => {
                  await api.put(projectHoldPath, terms);
                  setHolding(false);
                  reload();
                }}
              />
            )}
            {error && (
              <p className="state error" role="alert">
                {error}
              </p>
            )}
          </section>
        );
      }}
    </Loaded>
  );
}
