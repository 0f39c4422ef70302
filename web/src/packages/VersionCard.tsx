import { apiPath, enc } from '../api';
import type { Package, PackageFile } from '../types';
import { DateTime, formatBytes } from '../ui/date-time';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { viaText } from '../audit/labels';
import { VersionHold } from '../governance/VersionHold';
import { FileProvenance } from './FileProvenance';
import { actorText, pipelineText, PublishedByDetails } from './published-by';

/** One version: status, tags, deprecation, legal hold (held and released here by owners), who published it, and its files with their own publisher. */
export function VersionCard(props: { projectPath: string; pkg: Package; current: boolean; owner: boolean; onChange: () => void }) {
  const { projectPath, pkg, current } = props;
  const [files, reload] = useApi<PackageFile[]>(apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/package_files`, { per_page: '100' }));
  return (
    <article className={`version${current ? ' current' : ''}`} aria-labelledby={`version-${pkg.id}`}>
      <header>
        <h3 id={`version-${pkg.id}`}>{pkg.version}</h3>
        {pkg.tags.map((tag) => (
          <span key={tag.name} className="badge tag">
            {tag.name}
          </span>
        ))}
        {pkg.status !== 'default' && <span className="badge">{pkg.status.replace('_', ' ')}</span>}
        {pkg.deprecated && <span className="badge deprecated-badge">deprecated</span>}
        {pkg.legal_hold && <span className="badge hold-badge">held</span>}
      </header>
      <VersionHold projectPath={projectPath} pkg={pkg} owner={props.owner} onChange={props.onChange} />
      {pkg.deprecated && (
        <p className="deprecated" role="note">
          <strong>Deprecated:</strong> {pkg.deprecated}
        </p>
      )}
      <h4>Published by</h4>
      <PublishedByDetails by={pkg.published_by} />
      <h4>Files</h4>
      <Loaded loadable={files} retry={reload} what="Loading files">
        {(list) => (
          <div className="table-wrap">
            <table className="files">
              <caption className="sr-only">Files of {pkg.version}</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Size</th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">Published by</th>
                </tr>
              </thead>
              <tbody>
                {list.map((file) => (
                  <tr key={file.id}>
                    <td className="wrap">
                      {file.file_name}
                      <FileProvenance file={file} />
                    </td>
                    <td>{formatBytes(file.size)}</td>
                    <td>
                      <code className="hash">{file.file_sha256}</code>
                    </td>
                    <td>
                      {actorText(file.created_by.actor)}
                      <div className="muted small">
                        {viaText(file.created_by.via, file.created_by.client)}
                        {file.created_by.pipeline && <> · {pipelineText(file.created_by.pipeline)}</>} · <DateTime iso={file.created_by.at} />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </article>
  );
}
