import Type, { type Static } from 'typebox';
import { Nullable } from './common.js';
import { UserBasics } from './users.js';

/** GitLab's access levels a membership grants (10 guest ... 50 owner). */
export const MemberAccessLevel = Type.Union([Type.Literal(10), Type.Literal(20), Type.Literal(30), Type.Literal(40), Type.Literal(50)]);
export type MemberAccessLevel = Static<typeof MemberAccessLevel>;

/** A group's or project's member, as GitLab's `GET /groups/:id/members/:user_id` shows it. */
export const Member = Type.Object({
  ...UserBasics,
  access_level: MemberAccessLevel,
  /** YYYY-MM-DD: the membership ends after that day; null: it does not expire. */
  expires_at: Nullable(Type.String()),
});
export type Member = Static<typeof Member>;
