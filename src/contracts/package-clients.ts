import Type, { type Static } from 'typebox';

// The JSON answers of package-client endpoints whose shape is fixed (src/formats/<name>/). The
// documents a client installs from (the npm packument, PyPI's simple index) are the protocol's own
// and large: they are rendered by the format and declare no contract here.

/** A generic or PyPI upload that was stored: `201 {"message": "201 Created"}`, as GitLab answers. */
export const UploadCreated = Type.Object({ message: Type.Literal('201 Created') });
export type UploadCreated = Static<typeof UploadCreated>;

/** npm's acknowledgement of a write (publish, deprecate, unpublish, dist-tag); a publish also names the version. */
export const NpmWriteAcknowledged = Type.Object({
  ok: Type.Literal(true),
  success: Type.Optional(Type.Literal(true)),
  id: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
});
export type NpmWriteAcknowledged = Static<typeof NpmWriteAcknowledged>;

/** `npm audit`'s bulk advisory answer: Trove keeps no advisories, so no package has any. */
export const NpmAdvisories = Type.Object({}, { additionalProperties: false });
export type NpmAdvisories = Static<typeof NpmAdvisories>;
