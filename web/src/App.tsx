import { useEffect, useRef, type ReactNode } from 'react';
import { AccessReviewPage } from './access-review/AccessReviewPage';
import { AuditPage } from './audit/AuditPage';
import { AuditReportPage } from './audit/AuditReportPage';
import { ContainerImagesPage } from './containers/ContainerImagesPage';
import { TagHistoryPage } from './containers/TagHistoryPage';
import { MembersPage } from './members/MembersPage';
import { ExplorePage } from './pages/ExplorePage';
import { PackageListPage } from './pages/PackageListPage';
import { PackagePage } from './packages/PackagePage';
import { pageTitle } from './page-title';
import { SettingsPage } from './pages/SettingsPage';
import { SignInPage } from './pages/SignInPage';
import { TokensPage } from './pages/TokensPage';
import { Link, routes, useLocation } from './router';
import { useSession } from './session';
import { Loading } from './ui/states';

type Kind = 'groups' | 'projects' | 'namespaces';

/** Which page a path shows: /groups/<full path>[/-/audit|/-/members|/-/access-review|/-/settings], /projects/<full path>[/-/packages/<id>], ... */
function pageFor(path: string, userId: number): ReactNode {
  if (path === '/' || path === '/explore') return <ExplorePage />;
  if (path === '/admin/audit') return <AuditPage scope={{ kind: 'instance' }} />;
  if (path === '/admin/audit/report') return <AuditReportPage scope={{ kind: 'instance' }} />;
  if (path === '/activity') return <AuditPage scope={{ kind: 'user', userId }} />;
  if (path === '/tokens') return <TokensPage />;
  const match = /^\/(groups|projects|namespaces)\/(.+?)(?:\/-\/(.*))?\/?$/.exec(path);
  if (!match) return <NotFound />;
  const kind = match[1] as Kind;
  const fullPath = match[2];
  const section = match[3] ?? '';
  if (section === 'settings') return <SettingsPage kind={kind} fullPath={fullPath} />;
  if (kind === 'namespaces') return <NotFound />;
  if (section === 'audit') return <AuditPage scope={{ kind, fullPath }} />;
  if (section === 'audit/report') return <AuditReportPage scope={{ kind, fullPath }} />;
  if (section === 'members') return <MembersPage kind={kind} fullPath={fullPath} />;
  if (section === 'access-review' && kind === 'groups') return <AccessReviewPage fullPath={fullPath} />;
  const pkg = /^packages\/(\d+)$/.exec(section);
  if (kind === 'projects' && pkg) return <PackagePage projectPath={fullPath} packageId={Number(pkg[1])} />;
  if (section === 'containers') return <ContainerImagesPage kind={kind} fullPath={fullPath} />;
  const tagHistory = /^containers\/(\d+)\/tags\/([^/]+)$/.exec(section);
  if (kind === 'projects' && tagHistory) return <TagHistoryPage projectPath={fullPath} repositoryId={Number(tagHistory[1])} tag={tagHistory[2]} />;
  if (section === '') return <PackageListPage kind={kind} fullPath={fullPath} />;
  return <NotFound />;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to={routes.explore()}>Back to Explore</Link>
      </p>
    </section>
  );
}

function Header() {
  const { session, signOut } = useSession();
  if (!session) return null;
  return (
    <header className="top">
      <Link to="/" className="brand">
        Trove
      </Link>
      <nav aria-label="Main">
        <Link to={routes.explore()}>Explore</Link>
        {session.user.is_admin && <Link to={routes.instanceAudit()}>Instance audit log</Link>}
        <Link to={routes.settings('namespaces', session.user.username)}>My namespace</Link>
        <Link to={routes.tokens()}>Access tokens</Link>
        <Link to={routes.activity()}>Your activity</Link>
      </nav>
      <div className="who">
        <span>
          Signed in as <strong>{session.user.username}</strong>
          {session.token && <> with token “{session.token.name}”</>}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

export function App() {
  const { session, loading } = useSession();
  const { path } = useLocation();
  useEffect(() => {
    document.title = pageTitle(path, session !== null);
  }, [path, session]);
  // A new page (not a new filter on the same page): start keyboard and screen-reader users at its content.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) firstRender.current = false;
    else document.getElementById('main')?.focus();
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        {loading ? <Loading what="Checking your session" /> : session ? pageFor(path, session.user.id) : <SignInPage />}
      </main>
    </>
  );
}
