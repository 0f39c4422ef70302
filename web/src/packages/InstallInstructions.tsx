import { useState } from 'react';
import { apiPath, enc } from '../api';
import type { Package, PackageFile } from '../types';
import { useApi } from '../ui/use-api';

// The lines to copy for the package's format. <TOKEN> stays a placeholder: a token is shown
// once at creation, and a read-only one is what an installer should use.

function linesFor(pkg: Package, files: PackageFile[]): { title: string; text: string }[] {
  const origin = window.location.origin;
  const hostPath = origin.replace(/^https?:/, '');
  const project = `/api/v4/projects/${pkg.project_id}/packages`;
  switch (pkg.package_type) {
    case 'npm': {
      const scope = pkg.name.startsWith('@') ? `${pkg.name.split('/')[0]}:` : '';
      return [
        { title: '.npmrc', text: `${scope}registry=${origin}${project}/npm/\n${hostPath}${project}/npm/:_authToken=<TOKEN>` },
        { title: 'Install', text: `npm install ${pkg.name}@${pkg.version}` },
      ];
    }
    case 'pypi':
      return [{ title: 'Install', text: `pip install --index-url ${origin.replace('://', '://__token__:<TOKEN>@')}${project}/pypi/simple/ ${pkg.name}==${pkg.version}` }];
    default:
      return files.map((file) => ({
        title: file.file_name,
        text: `curl --fail --header "PRIVATE-TOKEN: <TOKEN>" --output ${file.file_name} "${origin}${project}/generic/${pkg.name}/${pkg.version}/${file.file_name}"`,
      }));
  }
}

export function CopyBlock({ title, text }: { title: string; text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-block">
      <div className="copy-head">
        <span>{title}</span>
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true))}
          aria-label={`Copy ${title}`}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre tabIndex={0}>{text}</pre>
    </div>
  );
}

export function InstallInstructions({ projectPath, pkg }: { projectPath: string; pkg: Package }) {
  // Generic packages are downloaded file by file, so their lines need the file names.
  const [files] = useApi<PackageFile[]>(pkg.package_type === 'generic' ? apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/package_files`, { per_page: '100' }) : null);
  const blocks = linesFor(pkg, files.state === 'ready' ? files.data : []);
  return (
    <section aria-labelledby="install-heading" className="panel">
      <h2 id="install-heading">Install</h2>
      {blocks.map((block) => (
        <CopyBlock key={block.title} {...block} />
      ))}
      <p className="muted small">Replace &lt;TOKEN&gt; with a personal access token or a deploy token that can read this project’s packages.</p>
    </section>
  );
}
