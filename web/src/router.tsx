import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

// A few lines of client-side routing on the History API: the URL (path and query) is the state,
// so every view, including audit filters, can be shared by copying the address.

const listeners = new Set<() => void>();

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  listeners.forEach((listener) => listener());
  if (!options.replace) window.scrollTo(0, 0);
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: decodeURI(window.location.pathname), query: new URLSearchParams(window.location.search) };
}

/** A link that navigates inside the app (a normal link for new tabs, middle clicks, modifiers). */
export function Link({ to, ...rest }: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} {...rest} onClick={onClick} />;
}

/** App URLs of groups, projects and packages; full paths keep their slashes, `/-/` ends them. */
export const routes = {
  explore: () => '/',
  group: (fullPath: string) => `/groups/${fullPath}`,
  project: (fullPath: string) => `/projects/${fullPath}`,
  pkg: (projectPath: string, packageId: number) => `/projects/${projectPath}/-/packages/${packageId}`,
  containers: (kind: 'groups' | 'projects', fullPath: string) => `/${kind}/${fullPath}/-/containers`,
  containerTag: (projectPath: string, repositoryId: number, tag: string) => `/projects/${projectPath}/-/containers/${repositoryId}/tags/${encodeURIComponent(tag)}`,
  audit: (kind: 'groups' | 'projects', fullPath: string) => `/${kind}/${fullPath}/-/audit`,
  instanceAudit: () => '/admin/audit',
  members: (kind: 'groups' | 'projects', fullPath: string) => `/${kind}/${fullPath}/-/members`,
  accessReview: (groupPath: string) => `/groups/${groupPath}/-/access-review`,
  activity: () => '/activity',
  settings: (kind: 'groups' | 'projects' | 'namespaces', fullPath: string) => `/${kind}/${fullPath}/-/settings`,
  tokens: () => '/tokens',
};
