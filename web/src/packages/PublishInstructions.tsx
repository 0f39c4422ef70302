import { apiPath, enc } from '../api';
import { Link, routes } from '../router';
import type { FormatPublishInstructions } from '../types';
import { useApi } from '../ui/use-api';
import { CopyBlock } from './InstallInstructions';

/** What an empty project shows: how to publish into it with each format's client, as the server describes it. */
export function PublishInstructions({ projectPath }: { projectPath: string }) {
  const [formats] = useApi<FormatPublishInstructions[]>(apiPath(`/projects/${enc(projectPath)}/package_formats`));
  if (formats.state !== 'ready') return null;
  return (
    <section className="panel" aria-labelledby="publish-heading">
      <h2 id="publish-heading">Publish the first package</h2>
      <p>
        Use a deploy token with <code>write_package_registry</code> (project <Link to={routes.settings('projects', projectPath)}>Settings</Link>) or a personal
        access token (<Link to={routes.tokens()}>Access tokens</Link>) in place of &lt;TOKEN&gt;.
      </p>
      {formats.data.flatMap((format) => format.publish.map((step) => <CopyBlock key={`${format.name}-${step.title}`} {...step} />))}
    </section>
  );
}
