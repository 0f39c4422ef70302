import { useState } from 'react';
import { api, apiPath, enc } from '../api';
import { Refusal } from '../ui/refusal';

/**
 * "Delete" of one tag, after a confirmation: DELETE .../tags/:tag_name. The image stays (other tags
 * and digests still name it); a refusal is shown as the API words it.
 */
export function DeleteTagButton({ projectPath, repositoryId, image, tag, onDeleted }: { projectPath: string; repositoryId: number; image: string; tag: string; onDeleted: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = `${image}:${tag}`;
  const remove = async () => {
    if (!window.confirm(`Delete the tag ${label}? Clients pulling ${label} will fail; the audit log keeps which image it named.`)) return;
    setError(null);
    setBusy(true);
    try {
      await api.delete(apiPath(`/projects/${enc(projectPath)}/registry/repositories/${repositoryId}/tags/${encodeURIComponent(tag)}`));
      onDeleted();
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="restore">
      <button type="button" disabled={busy} aria-label={`Delete tag ${label}`} onClick={() => void remove()}>
        Delete
      </button>
      <Refusal message={error} />
    </div>
  );
}
