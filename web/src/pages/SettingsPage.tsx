import { apiPath, enc } from '../api';
import { AuditSwitches } from '../settings/AuditSwitches';
import { FormatSettings } from '../settings/FormatSettings';
import { ProtectionRulesPanel } from '../governance/ProtectionRulesPanel';
import { useSession } from '../session';
import { TokensSection } from '../settings/TokensSection';
import { TrustedPublishersPanel } from '../trusted-publishers/TrustedPublishersPanel';
import { ScopeHeader } from '../ui/scope-header';
import { tokenScopeBlock } from '../ui/write-access';

const DEPLOY_SCOPES = ['read_package_registry', 'write_package_registry', 'read_registry', 'write_registry'];
// A new deploy token defaults to what package clients need; container registry scopes are opt-in.
const DEFAULT_DEPLOY_SCOPES = ['read_package_registry', 'write_package_registry'];

/** Owners' settings: audit switches and format settings (groups, user namespaces), a group's protection rules, trusted publishers and deploy tokens (groups, projects). */
export function SettingsPage({ kind, fullPath }: { kind: 'groups' | 'projects' | 'namespaces'; fullPath: string }) {
  const { session } = useSession();
  const deployTokens = (
    <TokensSection
      title="Deploy tokens"
      listPath={apiPath(`/${kind}/${enc(fullPath)}/deploy_tokens`, { per_page: '100' })}
      createPath={apiPath(`/${kind}/${enc(fullPath)}/deploy_tokens`)}
      revokePath={(id) => apiPath(`/${kind}/${enc(fullPath)}/deploy_tokens/${id}`)}
      scopes={DEPLOY_SCOPES}
      defaultScopes={DEFAULT_DEPLOY_SCOPES}
      writeBlock={tokenScopeBlock(session, 'creating or revoking deploy tokens')}
      forbiddenText={
        kind === 'groups'
          ? `Only owners of the group ${fullPath} can see and create its deploy tokens.`
          : `Only maintainers and owners of the project ${fullPath} can see and create its deploy tokens.`
      }
    />
  );
  if (kind === 'namespaces') {
    return (
      <section>
        <p className="kicker">User namespace</p>
        <h1>{fullPath}</h1>
        <AuditSwitches kind="namespaces" fullPath={fullPath} />
        <FormatSettings kind="namespaces" fullPath={fullPath} />
      </section>
    );
  }
  return (
    <section>
      <ScopeHeader kind={kind} fullPath={fullPath} current="settings" />
      {kind === 'groups' ? (
        <>
          <AuditSwitches kind="groups" fullPath={fullPath} />
          <FormatSettings kind="groups" fullPath={fullPath} />
          <ProtectionRulesPanel kind="groups" fullPath={fullPath} />
        </>
      ) : (
        <p className="muted">Audit settings belong to the project’s group or user namespace.</p>
      )}
      <TrustedPublishersPanel kind={kind} fullPath={fullPath} />
      {deployTokens}
    </section>
  );
}
