import { apiPath, enc } from '../api';
import { Link, routes } from '../router';
import type { Project } from '../types';
import { useApi } from '../ui/use-api';
import { CopyBlock } from './InstallInstructions';

/** What an empty project shows: how to publish into it with npm, twine or curl. */
export function PublishInstructions({ projectPath }: { projectPath: string }) {
  const [project] = useApi<Project>(apiPath(`/projects/${enc(projectPath)}`));
  if (project.state !== 'ready') return null;
  const origin = window.location.origin;
  const base = `/api/v4/projects/${project.data.id}/packages`;
  return (
    <section className="panel" aria-labelledby="publish-heading">
      <h2 id="publish-heading">Publish the first package</h2>
      <p>
        Use a deploy token with <code>write_package_registry</code> (project <Link to={routes.settings('projects', projectPath)}>Settings</Link>) or a personal
        access token (<Link to={routes.tokens()}>Access tokens</Link>) in place of &lt;TOKEN&gt;.
      </p>
      <CopyBlock title="npm: .npmrc in the package folder, then npm publish" text={`registry=${origin}${base}/npm/\n${origin.replace(/^https?:/, '')}${base}/npm/:_authToken=<TOKEN>`} />
      <CopyBlock title="PyPI: twine" text={`TWINE_USERNAME=__token__ TWINE_PASSWORD=<TOKEN> twine upload --repository-url ${origin}${base}/pypi dist/*`} />
      <CopyBlock title="Generic file: curl" text={`curl --fail --header "PRIVATE-TOKEN: <TOKEN>" --upload-file my-tool.tar.gz "${origin}${base}/generic/my-tool/1.0.0/my-tool.tar.gz"`} />
    </section>
  );
}
