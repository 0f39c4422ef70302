import { apiPath, enc } from '../api';
import { Link, routes } from '../router';
import type { ContainerRepository, ContainerTag } from '../types';
import { actorText } from '../packages/published-by';
import { DateTime, formatBytes } from '../ui/date-time';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { DeleteTagButton } from './DeleteTagButton';

/** A repository's tags: digest, size, platforms, who pointed the tag at its image and when; Delete for maintainers. */
export function TagTable({ projectPath, repository, mayDelete }: { projectPath: string; repository: ContainerRepository; mayDelete: boolean }) {
  const [tags, reload] = useApi<ContainerTag[]>(apiPath(`/projects/${enc(projectPath)}/registry/repositories/${repository.id}/tags`, { per_page: '100' }));
  return (
    <Loaded loadable={tags} retry={reload} what={`Loading tags of ${repository.path}`}>
      {(list, headers) =>
        list.length === 0 ? (
          <Empty>No tags.</Empty>
        ) : (
          <div className="table-wrap">
            <table aria-label={`Tags of ${repository.path}`}>
              <thead>
                <tr>
                  <th>Tag</th>
                  <th>Digest</th>
                  <th>Size</th>
                  <th>Platforms</th>
                  <th>Pushed by</th>
                  <th>When</th>
                  {mayDelete && <th>Actions</th>}
                </tr>
              </thead>
              <tbody>
                {list.map((tag) => (
                  <tr key={tag.name}>
                    <td>
                      <Link to={routes.containerTag(projectPath, repository.id, tag.name)} title={`History of ${tag.path}`}>
                        {tag.name}
                      </Link>
                    </td>
                    <td>
                      <code className="hash" title={tag.digest}>
                        {tag.digest}
                      </code>
                    </td>
                    <td>{formatBytes(tag.total_size)}</td>
                    <td>{tag.platforms.join(', ') || '–'}</td>
                    <td className="actor">{actorText(tag.pushed_by.actor)}</td>
                    <td>
                      <DateTime iso={tag.created_at} />
                    </td>
                    {mayDelete && (
                      <td>
                        <DeleteTagButton projectPath={projectPath} repositoryId={repository.id} image={repository.path} tag={tag.name} onDeleted={reload} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {Number(headers.get('x-total') ?? list.length) > list.length && <p className="muted small">The first {list.length} of {headers.get('x-total')} tags.</p>}
          </div>
        )
      }
    </Loaded>
  );
}
