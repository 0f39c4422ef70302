import { ApiError, apiPath, enc } from '../api';
import { Link, routes } from '../router';
import { useSession } from '../session';
import type { ProtectionRule } from '../types';
import { useAccessLevel } from '../ui/use-access-level';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';
import { EditDeleteButtons, PanelFooter } from './PanelParts';
import { levelText, RuleForm, type RuleBody } from './RuleForm';
import { useEditableList } from './use-editable-list';

const MAINTAINER = 40;

/**
 * The package protection rules of a project (with the group rules that bind it, marked as
 * inherited and changed on their group) or of a group. Maintainers and owners add, edit and delete
 * them; others are told who can (the API shows rules to maintainers only).
 */
export function ProtectionRulesPanel({ kind, fullPath }: { kind: 'groups' | 'projects'; fullPath: string }) {
  const base = `/${kind}/${enc(fullPath)}/packages/protection/rules`;
  const { items: rules, reload, editing, setEditing, error, remove, save, add } = useEditableList<ProtectionRule, RuleBody>(base);
  const level = useAccessLevel(kind, fullPath);
  const { session } = useSession();
  const what = kind === 'groups' ? 'group' : 'project';
  const heading = <h2 id={`protection-rules-${kind}`}>Protection rules</h2>;

  if (rules.state === 'error' && rules.error instanceof ApiError && rules.error.status === 403) {
    return (
      <section className="panel" aria-labelledby={`protection-rules-${kind}`}>
        {heading}
        <ReadOnlyNote>Only maintainers and owners of the {what} {fullPath} can see and change its package protection rules.</ReadOnlyNote>
      </section>
    );
  }
  const block = tokenScopeBlock(session, 'changing protection rules');
  const writable = block === null && level !== null && level >= MAINTAINER;
  const own = (rule: ProtectionRule) => (kind === 'projects' ? rule.group_id === null : true);

  const question = (rule: ProtectionRule) => `Delete the protection rule for ${rule.package_name_pattern}? Its packages can then be published and deleted as without it.`;

  return (
    <section className="panel" aria-labelledby={`protection-rules-${kind}`}>
      {heading}
      <p className="muted small">
        Who may publish and delete packages whose names match a pattern{kind === 'groups' ? ', in every project of this group and its subgroups' : ''}. Refused clients are told the
        rule.
      </p>
      {block && <ReadOnlyNote>{block}</ReadOnlyNote>}
      <Loaded loadable={rules} retry={reload} what="Loading protection rules">
        {(list) =>
          list.length === 0 ? (
            <Empty>No protection rules.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="stack rules">
                <caption className="sr-only">Protection rules</caption>
                <thead>
                  <tr>
                    <th scope="col">Pattern</th>
                    <th scope="col">Format</th>
                    <th scope="col">Publish</th>
                    <th scope="col">Delete</th>
                    <th scope="col">Deploy tokens</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((rule) =>
                    editing === rule.id ? (
                      <tr key={rule.id}>
                        <td colSpan={6}>
                          <RuleForm rule={rule} submitLabel={`Save rule ${rule.package_name_pattern}`} onSubmit={(body) => save(rule, body)} onCancel={() => setEditing(null)} />
                        </td>
                      </tr>
                    ) : (
                      <tr key={rule.id}>
                        <td data-label="Pattern">
                          <code>{rule.package_name_pattern}</code>
                          {!own(rule) && <InheritedNote groupId={rule.group_id} />}
                        </td>
                        <td data-label="Format">{rule.package_type}</td>
                        <td data-label="Publish">{levelText(rule.minimum_access_level_for_push)}</td>
                        <td data-label="Delete">{levelText(rule.minimum_access_level_for_delete)}</td>
                        <td data-label="Deploy tokens">{rule.allow_deploy_tokens ? 'allowed' : 'refused'}</td>
                        <td className="actions">
                          {writable && own(rule) && <EditDeleteButtons what={`rule ${rule.package_name_pattern}`} onEdit={() => setEditing(rule.id)} onDelete={() => void remove(rule, question(rule))} />}
                        </td>
                      </tr>
                    ),
                  )}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <PanelFooter error={error} addSummary={writable ? 'Add a protection rule' : null}>
        <RuleForm submitLabel="Add rule" onSubmit={add} />
      </PanelFooter>
    </section>
  );
}

/** A group's rule on a project's page: where it comes from, and where to change it. */
function InheritedNote({ groupId }: { groupId: number | null }) {
  const [group] = useApi<{ full_path: string }>(groupId === null ? null : apiPath(`/groups/${groupId}`));
  if (group.state !== 'ready') return <div className="muted small">inherited from a group</div>;
  return (
    <div className="muted small">
      inherited from group <Link to={routes.settings('groups', group.data.full_path)}>{group.data.full_path}</Link>
    </div>
  );
}
