import { apiPath } from '../api';
import { useSession } from '../session';
import { TokensSection } from '../settings/TokensSection';
import { tokenScopeBlock } from '../ui/write-access';

const PERSONAL_SCOPES = ['api', 'read_api', 'read_package_registry', 'write_package_registry', 'read_registry', 'write_registry'];

/** The signed-in user's personal access tokens. */
export function TokensPage() {
  const { session } = useSession();
  return (
    <section>
      <h1>Personal access tokens</h1>
      <TokensSection
        title="Your tokens"
        listPath={apiPath('/personal_access_tokens', { user_id: session ? String(session.user.id) : undefined, per_page: '100' })}
        createPath={apiPath('/user/personal_access_tokens')}
        revokePath={(id) => apiPath(`/personal_access_tokens/${id}`)}
        scopes={PERSONAL_SCOPES}
        defaultScopes={['read_package_registry']}
        writeBlock={tokenScopeBlock(session, 'creating or revoking tokens')}
        forbiddenText="Your tokens cannot be listed with this sign-in."
      />
    </section>
  );
}
