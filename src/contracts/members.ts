import Type, { type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';
import { UserState } from './users.js';

/** GitLab's access levels a membership grants (10 guest ... 50 owner). */
export const MemberAccessLevel = Type.Union([Type.Literal(10), Type.Literal(20), Type.Literal(30), Type.Literal(40), Type.Literal(50)]);
export type MemberAccessLevel = Static<typeof MemberAccessLevel>;

/** A group's or project's member, as GitLab's `GET /groups/:id/members/:user_id` shows it. */
export const Member = Type.Object({
  id: Id,
  username: Type.String(),
  name: Type.String(),
  state: UserState,
  avatar_url: Type.Null(),
  web_url: Type.String(),
  access_level: MemberAccessLevel,
  created_at: Timestamp,
  /** YYYY-MM-DD: the membership ends after that day; null: it does not expire. */
  expires_at: Nullable(Type.String()),
});
export type Member = Static<typeof Member>;
