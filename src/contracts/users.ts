import Type, { type Static } from 'typebox';
import { Id, Timestamp } from './common.js';

/** An account's state: a deleted user's row stays, so that what the audit log names stays too. */
export const UserState = Type.Union([Type.Literal('active'), Type.Literal('blocked'), Type.Literal('deleted')]);
export type UserState = Static<typeof UserState>;

/** The fields GitLab shows of any user, also in a member list. */
export const UserBasics = {
  id: Id,
  username: Type.String(),
  name: Type.String(),
  state: UserState,
  avatar_url: Type.Null(),
  web_url: Type.String(),
  created_at: Timestamp,
};

/** A user as GitLab's `GET /users/:id` shows it; email and is_admin only to the user themself and administrators. */
export const User = Type.Object({
  ...UserBasics,
  email: Type.Optional(Type.String()),
  is_admin: Type.Optional(Type.Boolean()),
});
export type User = Static<typeof User>;
