import Type, { type TSchema } from 'typebox';

/** `T` or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A row id. */
export const Id = Type.Integer({ minimum: 0 });

/** An ISO 8601 timestamp as the API writes them (2026-01-31T12:00:00.000Z). */
export const Timestamp = Type.String();

/** GitLab's visibility levels. */
export const Visibility = Type.Union([Type.Literal('private'), Type.Literal('internal'), Type.Literal('public')]);

/** GitLab's `{"message": ...}` answer of a write that has nothing else to say. */
export const Message = Type.Object({ message: Type.String() });
