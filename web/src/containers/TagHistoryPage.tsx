import { apiPath, enc } from '../api';
import { viaText } from '../audit/labels';
import { actorText, pipelineText } from '../packages/published-by';
import { Link, routes } from '../router';
import type { ContainerTagHistoryEntry } from '../types';
import { DateTime } from '../ui/date-time';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';

/** Every digest a tag has pointed to, newest first: by whom, with which token, via what. */
export function TagHistoryPage({ projectPath, repositoryId, tag }: { projectPath: string; repositoryId: number; tag: string }) {
  const [history, reload] = useApi<ContainerTagHistoryEntry[]>(
    apiPath(`/projects/${enc(projectPath)}/registry/repositories/${repositoryId}/tags/${encodeURIComponent(tag)}/history`, { per_page: '100' }),
  );
  return (
    <section>
      <p className="kicker">
        Container tag in <Link to={routes.containers('projects', projectPath)}>{projectPath}</Link>
      </p>
      <h1>History of {tag}</h1>
      <Loaded loadable={history} retry={reload} what="Loading the tag's history">
        {(list) => (
          <div className="table-wrap">
            <table aria-label={`History of ${tag}`}>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Digest</th>
                  <th>By</th>
                  <th>Via</th>
                  <th>Pipeline</th>
                </tr>
              </thead>
              <tbody>
                {list.map((entry, i) => (
                  <tr key={entry.id}>
                    <td>
                      <DateTime iso={entry.pushed_at} />
                      {i === 0 && <span className="badge tag"> latest</span>}
                    </td>
                    <td>
                      <code className="hash">{entry.digest}</code>
                    </td>
                    <td className="actor">{actorText(entry.pushed_by.actor)}</td>
                    <td>{viaText(entry.pushed_by.via, entry.pushed_by.client)}</td>
                    <td>{entry.pushed_by.pipeline ? pipelineText(entry.pushed_by.pipeline) : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </section>
  );
}
