// The document title of every page, said the way people name the page rather than as its URL:
// "Audit events · acme · Trove". Browser tabs, history and bookmarks then tell pages apart.

const SECTIONS: Record<string, string> = {
  '': 'Packages',
  audit: 'Audit events',
  containers: 'Container images',
  'audit/report': 'Audit report',
  settings: 'Settings',
};

const TOP_LEVEL: Record<string, string> = {
  '/': 'Explore',
  '/explore': 'Explore',
  '/admin/audit': 'Instance audit log',
  '/admin/audit/report': 'Instance audit report',
  '/tokens': 'Access tokens',
};

/** "members" → "Members", "packages/12" → "Package". */
function sectionName(section: string): string {
  if (section in SECTIONS) return SECTIONS[section];
  if (/^packages\/\d+$/.test(section)) return 'Package';
  if (/^containers\/\d+\/tags\//.test(section)) return 'Container tag history';
  const first = section.split('/')[0].replaceAll(/[-_]/g, ' ');
  return first.charAt(0).toUpperCase() + first.slice(1);
}

export function pageTitle(path: string, signedIn: boolean): string {
  if (!signedIn) return 'Sign in · Trove';
  const top = TOP_LEVEL[path.replace(/(.)\/$/, '$1')];
  if (top) return `${top} · Trove`;
  const scoped = /^\/(groups|projects|namespaces)\/(.+?)(?:\/-\/(.*?))?\/?$/.exec(path);
  if (scoped) return `${sectionName(scoped[3] ?? '')} · ${scoped[2]} · Trove`;
  const words = path.split('/').filter(Boolean);
  return words.length ? `${sectionName(words.join('/'))} · Trove` : 'Trove';
}
