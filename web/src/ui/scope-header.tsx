import { routes } from '../router';
import { Tabs } from './tabs';

/** Title and sections of a group or project: packages, audit events, members, settings. */
export function ScopeHeader({ kind, fullPath, current }: { kind: 'groups' | 'projects'; fullPath: string; current: 'packages' | 'containers' | 'audit' | 'members' | 'settings' }) {
  const base = kind === 'groups' ? routes.group(fullPath) : routes.project(fullPath);
  return (
    <>
      <p className="kicker">{kind === 'groups' ? 'Group' : 'Project'}</p>
      <h1>{fullPath}</h1>
      <Tabs
        label={`${kind === 'groups' ? 'Group' : 'Project'} sections`}
        current={current}
        tabs={[
          { id: 'packages', label: 'Packages', to: base },
          { id: 'containers', label: 'Container images', to: routes.containers(kind, fullPath) },
          { id: 'audit', label: 'Audit events', to: routes.audit(kind, fullPath) },
          { id: 'members', label: 'Members', to: routes.members(kind, fullPath) },
          { id: 'settings', label: 'Settings', to: routes.settings(kind, fullPath) },
        ]}
      />
    </>
  );
}
