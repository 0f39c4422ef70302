import type { Actor } from '../types';
import { actorTypeLabel } from './labels';

/** Who acted, said once: the user or token name, then what kind of actor it was and whose. */
export function ActorCell({ actor }: { actor: Actor }) {
  const kind = actorTypeLabel(actor.type);
  switch (actor.type) {
    case 'deploy_token':
      return <ActorLines name={`“${actor.token_name}”`} detail={`${kind} of ${actor.token_owner_path}`} />;
    case 'personal_access_token':
      return <ActorLines name={actor.username ?? '—'} detail={`${kind} “${actor.token_name}”`} />;
    case 'job_token':
      return <ActorLines name={actor.username ?? '—'} detail={`${kind} of ${actor.token_owner_path}`} />;
    case 'oidc':
      return <ActorLines name={actor.subject ?? '—'} detail={`${kind} of ${actor.token_owner_path}, ${actor.issuer}`} />;
    case 'system':
      return <ActorLines name={actor.name ?? 'Trove'} detail={kind} />;
    case 'anonymous':
      return <ActorLines name={kind} />;
    default:
      return <ActorLines name={actor.username ?? '—'} />;
  }
}

function ActorLines({ name, detail }: { name: string; detail?: string }) {
  return (
    <>
      <span className="actor-name">{name}</span>
      {detail && <span className="actor-kind muted small">{detail}</span>}
    </>
  );
}
