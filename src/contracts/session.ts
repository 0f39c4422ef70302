import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';
import { PersonalTokenScope } from './tokens.js';
import { User } from './users.js';

/** The web UI's session (`POST` and `GET /session`): who is signed in, and the CSRF token its writes carry. */
export const Session = Type.Object({
  user: User,
  csrf_token: Type.String(),
  expires_at: Timestamp,
  /** A token sign-in acts with the token's rights and its events name the token; null for a password sign-in. */
  token: Nullable(Type.Object({ id: Id, name: Type.String(), scopes: Type.Array(PersonalTokenScope) })),
});
export type Session = Static<typeof Session>;
