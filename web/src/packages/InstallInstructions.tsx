import { useState } from 'react';
import { apiPath, enc } from '../api';
import type { InstructionStep, Package, PackageInstallInstructions } from '../types';
import { useApi } from '../ui/use-api';

// The steps to copy come from the server, which asks the package's format: the UI knows no format.
// <TOKEN> stays a placeholder: a token is shown once at creation, and a read-only one is what an
// installer should use.

export function CopyBlock({ title, command }: InstructionStep) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-block">
      <div className="copy-head">
        <span>{title}</span>
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(command).then(() => setCopied(true))}
          aria-label={`Copy ${title}`}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre tabIndex={0}>{command}</pre>
    </div>
  );
}

export function InstallInstructions({ projectPath, pkg }: { projectPath: string; pkg: Package }) {
  const [instructions] = useApi<PackageInstallInstructions>(apiPath(`/projects/${enc(projectPath)}/packages/${pkg.id}/instructions`));
  if (instructions.state !== 'ready') return null;
  return (
    <section aria-labelledby="install-heading" className="panel">
      <h2 id="install-heading">Install</h2>
      {instructions.data.install.length === 0 && <p className="muted">Trove has no install steps for {instructions.data.display_name} packages.</p>}
      {instructions.data.install.map((step) => (
        <CopyBlock key={step.title} {...step} />
      ))}
      <p className="muted small">Replace &lt;TOKEN&gt; with a personal access token or a deploy token that can read this project’s packages.</p>
    </section>
  );
}
