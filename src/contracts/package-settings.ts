import Type, { type Static } from 'typebox';

// A group's or user namespace's package registry settings: the audit settings (docs/architecture.md#what-is-recorded), and the
// settings package formats declare, yes/no or a regular expression (GitLab's
// generic_duplicates_allowed, generic_duplicate_exception_regex, ...), which are named by the
// formats: for each, `<key>` (set here, or null when inherited), `<key>_effective` and `<key>_source`
// (a full path, or "default").

/** A format setting's field: its own value (null: inherited), the value in effect, or where it comes from. */
const FormatSettingField = Type.Union([Type.Boolean(), Type.String(), Type.Null()]);

/** What a group or namespace says: on, off, or as its parent (the instance at the top). */
export const SettingValue = Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('inherit')]);
export type SettingValue = Static<typeof SettingValue>;

/** What is in effect. */
export const EffectiveValue = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);
export type EffectiveValue = Static<typeof EffectiveValue>;

/**
 * `GET /groups/:id/packages/settings`, `/namespaces/:id/packages/settings`. For each setting: its
 * own value, the value in effect and where it comes from (a full path, or "instance"), and what
 * `inherit` would give here.
 */
export const PackageSettings = Type.Object(
  {
    package_audit_events: SettingValue,
    package_audit_events_effective: EffectiveValue,
    package_audit_events_source: Type.String(),
    package_audit_events_inherited: EffectiveValue,
    package_audit_events_inherited_source: Type.String(),
    package_download_events: SettingValue,
    package_download_events_effective: EffectiveValue,
    package_download_events_source: Type.String(),
    package_download_events_inherited: EffectiveValue,
    package_download_events_inherited_source: Type.String(),
    /** The instance enforces package audit events: nobody can turn them off. */
    package_audit_events_enforced: Type.Boolean(),
  },
  { additionalProperties: FormatSettingField },
);
/** The format settings' fields are named by the formats, so they are read by key. */
type FormatSettingFields = { [formatSettingField: string]: Static<typeof FormatSettingField> };
export type PackageSettings = Static<typeof PackageSettings> & FormatSettingFields;

/** The same, read by a caller, with whether their PUT would pass the role and scope checks. */
export const PackageSettingsView = Type.Object({ ...PackageSettings.properties, can_update: Type.Boolean() }, { additionalProperties: FormatSettingField });
export type PackageSettingsView = Static<typeof PackageSettingsView> & FormatSettingFields;
