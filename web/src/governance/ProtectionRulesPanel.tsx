import { useState } from 'react';
import { api, ApiError, apiPath, enc } from '../api';
import { Link, routes } from '../router';
import { useSession } from '../session';
import type { ProtectionRule } from '../types';
import { useAccessLevel } from '../ui/use-access-level';
import { Empty, Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';
import { levelText, RuleForm, type RuleBody } from './RuleForm';

const MAINTAINER = 40;

/**
 * The package protection rules of a project (with the group rules that bind it, marked as
 * inherited and changed on their group) or of a group. Maintainers and owners add, edit and delete
 * them; others are told who can (the API shows rules to maintainers only).
 */
export function ProtectionRulesPanel({ kind, fullPath }: { kind: 'groups' | 'projects'; fullPath: string }) {
  const base = `/${kind}/${enc(fullPath)}/packages/protection/rules`;
  const [rules, reload] = useApi<ProtectionRule[]>(apiPath(base, { per_page: '100' }));
  const level = useAccessLevel(kind, fullPath);
  const { session } = useSession();
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
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

  const remove = async (rule: ProtectionRule) => {
    if (!window.confirm(`Delete the protection rule for ${rule.package_name_pattern}? Its packages can then be published and deleted as without it.`)) return;
    setError(null);
    try {
      await api.delete(apiPath(`${base}/${rule.id}`));
      reload();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  const save = async (rule: ProtectionRule, body: RuleBody) => {
    await api.patch(apiPath(`${base}/${rule.id}`), body);
    setEditing(null);
    reload();
  };

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
                          {writable && own(rule) && (
                            <>
                              <button type="button" onClick={() => setEditing(rule.id)} aria-label={`Edit rule ${rule.package_name_pattern}`}>
                                Edit
                              </button>
                              <button type="button" onClick={() => void remove(rule)} aria-label={`Delete rule ${rule.package_name_pattern}`}>
                                Delete
                              </button>
                            </>
                          )}
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
      {error && (
        <p className="state error" role="alert">
          {error}
        </p>
      )}
      {writable && (
        <details className="create">
          <summary>Add a protection rule</summary>
          <RuleForm
            submitLabel="Add rule"
            onSubmit={async (body) => {
              await api.post(apiPath(base), body);
              reload();
            }}
          />
        </details>
      )}
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
