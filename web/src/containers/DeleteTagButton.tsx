import { api, apiPath, enc } from '../api';
import { ConfirmedActionButton } from '../ui/ConfirmedActionButton';

/**
 * "Delete" of one tag, after a confirmation: DELETE .../tags/:tag_name. The image stays (other tags
 * and digests still name it); a refusal is shown as the API words it.
 */
export function DeleteTagButton({ projectPath, repositoryId, image, tag, onDeleted }: { projectPath: string; repositoryId: number; image: string; tag: string; onDeleted: () => void }) {
  const label = `${image}:${tag}`;
  return (
    <ConfirmedActionButton
      text="Delete"
      ariaLabel={`Delete tag ${label}`}
      confirm={`Delete the tag ${label}? Clients pulling ${label} will fail; the audit log keeps which image it named.`}
      action={async () => {
        await api.delete(apiPath(`/projects/${enc(projectPath)}/registry/repositories/${repositoryId}/tags/${encodeURIComponent(tag)}`));
        onDeleted();
      }}
    />
  );
}
