import { ApiError, enc } from '../api';
import { Link, routes } from '../router';
import { useSession } from '../session';
import type { TrustedPublisher } from '../types';
import { Empty, Loaded } from '../ui/states';
import { useAccessLevel } from '../ui/use-access-level';
import { ReadOnlyNote, tokenScopeBlock } from '../ui/write-access';
import { EditDeleteButtons, PanelFooter } from '../governance/PanelParts';
import { useEditableList } from '../governance/use-editable-list';
import { PublisherForm, type PublisherBody } from './PublisherForm';

const OWNER = 50;

/**
 * The trusted publishers of a project (with those it inherits from the groups above it, read-only
 * here and linked to their group) or of a group: the CI identities whose OIDC ID tokens can be
 * exchanged for a publish token. Owners add, edit and delete them; maintainers see them.
 */
export function TrustedPublishersPanel({ kind, fullPath }: { kind: 'groups' | 'projects'; fullPath: string }) {
  const base = `/${kind}/${enc(fullPath)}/packages/trusted_publishers`;
  const { items: publishers, reload, editing, setEditing, error, remove, save, add } = useEditableList<TrustedPublisher, PublisherBody>(base);
  const level = useAccessLevel(kind, fullPath);
  const { session } = useSession();
  const what = kind === 'groups' ? 'group' : 'project';
  const heading = <h2 id={`trusted-publishers-${kind}`}>Trusted publishers</h2>;

  if (publishers.state === 'error' && publishers.error instanceof ApiError && publishers.error.status === 403) {
    return (
      <section className="panel" aria-labelledby={`trusted-publishers-${kind}`}>
        {heading}
        <ReadOnlyNote>Only maintainers and owners of the {what} {fullPath} can see its trusted publishers.</ReadOnlyNote>
      </section>
    );
  }
  const block = tokenScopeBlock(session, 'changing trusted publishers');
  const writable = block === null && level !== null && level >= OWNER;

  const question = (publisher: TrustedPublisher) =>
    `Delete the trusted publisher ${publisher.issuer} (${describeClaims(publisher)})? Its CI jobs can then no longer publish with their ID token.`;

  return (
    <section className="panel" aria-labelledby={`trusted-publishers-${kind}`}>
      {heading}
      <p className="muted small">
        CI jobs whose OIDC ID token matches a publisher get a 15-minute token that can publish to {kind === 'groups' ? 'the project they name in this group or its subgroups' : 'this project'} only.
      </p>
      {block && <ReadOnlyNote>{block}</ReadOnlyNote>}
      {!block && level !== null && level < OWNER && <ReadOnlyNote>Only owners of the {what} can add, change and delete trusted publishers.</ReadOnlyNote>}
      <Loaded loadable={publishers} retry={reload} what="Loading trusted publishers">
        {(list) =>
          list.length === 0 ? (
            <Empty>No trusted publishers.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="stack rules">
                <caption className="sr-only">Trusted publishers</caption>
                <thead>
                  <tr>
                    <th scope="col">Issuer</th>
                    <th scope="col">Claims</th>
                    <th scope="col">Audience</th>
                    <th scope="col">Packages</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((publisher) =>
                    editing === publisher.id ? (
                      <tr key={publisher.id}>
                        <td colSpan={5}>
                          <PublisherForm publisher={publisher} submitLabel={`Save publisher ${publisher.id}`} onSubmit={(body) => save(publisher, body)} onCancel={() => setEditing(null)} />
                        </td>
                      </tr>
                    ) : (
                      <tr key={publisher.id}>
                        <td data-label="Issuer">
                          <code>{publisher.issuer}</code>
                          {publisher.inherited_from && (
                            <div className="muted small">
                              inherited from group <Link to={routes.settings('groups', publisher.inherited_from.full_path)}>{publisher.inherited_from.full_path}</Link>
                            </div>
                          )}
                        </td>
                        <td data-label="Claims">
                          {Object.entries(publisher.claims).map(([name, condition]) => (
                            <div key={name}>
                              <code>
                                {name} = {condition}
                              </code>
                            </div>
                          ))}
                        </td>
                        <td data-label="Audience">
                          <code>{publisher.audience}</code>
                        </td>
                        <td data-label="Packages">
                          {publisher.package_type ?? 'any format'}
                          {publisher.package_name_pattern && (
                            <>
                              , <code>{publisher.package_name_pattern}</code>
                            </>
                          )}
                        </td>
                        <td className="actions">
                          {writable && !publisher.inherited_from && (
                            <EditDeleteButtons what={`publisher ${publisher.id}`} onEdit={() => setEditing(publisher.id)} onDelete={() => void remove(publisher, question(publisher))} />
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
      <PanelFooter error={error} addSummary={writable ? 'Add a trusted publisher' : null}>
        <PublisherForm submitLabel="Add publisher" onSubmit={add} />
      </PanelFooter>
    </section>
  );
}

function describeClaims(publisher: TrustedPublisher): string {
  return Object.entries(publisher.claims)
    .map(([name, condition]) => `${name}=${condition}`)
    .join(', ');
}
