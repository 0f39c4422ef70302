import { Link } from '../router';

/** The sections of a group, project or package page, as links so that each is its own URL. */
export function Tabs({ tabs, current, label }: { tabs: { id: string; label: string; to: string }[]; current: string; label: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      {tabs.map((tab) => (
        <Link key={tab.id} to={tab.to} aria-current={tab.id === current ? 'page' : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
