import Type, { type Static } from 'typebox';

// What the API serves about the package formats, from each format's declaration
// (src/formats/<name>/<name>-format.ts), so the web UI shows any format's name and steps
// without a list of its own.

/** One step to copy: a title and the command, as GitLab's package page shows them. */
export const InstructionStep = Type.Object({ title: Type.String(), command: Type.String() });
export type InstructionStep = Static<typeof InstructionStep>;

/** A setting a format declares, yes/no or a regular expression, changed under /groups/:id/packages/settings (null there: inherit). */
export const FormatSettingSummary = Type.Union([
  Type.Object({ key: Type.String(), description: Type.String(), kind: Type.Literal('boolean'), default: Type.Boolean() }),
  Type.Object({ key: Type.String(), description: Type.String(), kind: Type.Literal('regex'), default: Type.String() }),
]);
export type FormatSettingSummary = Static<typeof FormatSettingSummary>;

/** `GET /package_formats`: a format Trove serves (`name` is the package_type / package_format value) and its settings. */
export const FormatSummary = Type.Object({ name: Type.String(), display_name: Type.String(), settings: Type.Array(FormatSettingSummary) });
export type FormatSummary = Static<typeof FormatSummary>;

/** `GET /projects/:id/package_formats`: a format and the steps that publish into this project with it. */
export const FormatPublishInstructions = Type.Object({ name: Type.String(), display_name: Type.String(), publish: Type.Array(InstructionStep) });
export type FormatPublishInstructions = Static<typeof FormatPublishInstructions>;

/** `GET /projects/:id/packages/:package_id/instructions`: the steps that install this version. */
export const PackageInstallInstructions = Type.Object({ package_type: Type.String(), display_name: Type.String(), install: Type.Array(InstructionStep) });
export type PackageInstallInstructions = Static<typeof PackageInstallInstructions>;
