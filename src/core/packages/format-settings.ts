import type { Db, Tx } from '../../storage/db/database.js';
import { ancestorsOf, type Namespace } from '../accounts/namespaces.js';
import type { AuditLog } from '../audit/audit-log.js';
import { namespaceScope } from '../audit/audit-scope.js';
import type { AuditContext, Changes } from '../audit/audit-types.js';
import { validateRegex } from '../cleanup/cleanup-policy.js';
import { errors } from '../errors.js';

// The settings package formats declare (PackageFormat.settings): yes/no or a pattern per
// namespace, set on a group or user namespace and inherited below it, the format's default at the
// top. Changed through the package settings API with their own audit event, in one transaction
// with the change.

/** A yes/no setting of a format, named `<format>_...` (GitLab's generic_duplicates_allowed). */
export interface BooleanFormatSetting {
  kind: 'boolean';
  key: string;
  description: string;
  default: boolean;
}

/** A regular expression a format matches names against ('' = none; GitLab's generic_duplicate_exception_regex). */
export interface RegexFormatSetting {
  kind: 'regex';
  key: string;
  description: string;
  default: '';
}

export type FormatSetting = BooleanFormatSetting | RegexFormatSetting;

/** A setting's value: boolean for a yes/no setting, the pattern for a regex one. */
export type FormatSettingValue<S extends FormatSetting = FormatSetting> = S extends RegexFormatSetting ? string : boolean;

/** What a request sets: a value, or null to inherit again. */
export type FormatSettingsPatch = Record<string, boolean | string | null>;

/** Stored as text: 'true'/'false' for a yes/no setting, the pattern itself for a regex one (migration 021). */
const stored = (value: boolean | string): string => (typeof value === 'boolean' ? String(value) : value);
const readBack = (setting: FormatSetting, value: string): boolean | string => (setting.kind === 'boolean' ? value === 'true' : value);

async function valuesOn(db: Db | Tx, namespaceIds: number[], settings: readonly FormatSetting[]): Promise<Map<string, boolean | string>> {
  if (namespaceIds.length === 0 || settings.length === 0) return new Map();
  const byKey = new Map(settings.map((setting) => [setting.key, setting]));
  const rows = await db.selectFrom('namespace_format_settings').selectAll().where('namespace_id', 'in', namespaceIds).where('key', 'in', [...byKey.keys()]).execute();
  return new Map(rows.map((row) => [`${row.namespace_id}/${row.key}`, readBack(byKey.get(row.key)!, row.value)]));
}

/** Per setting: the value set on `ns` (null: inherited), the value in effect there, and where it comes from. */
export async function formatSettingsOf(db: Db, ns: Namespace, settings: readonly FormatSetting[]): Promise<Record<string, boolean | string | null>> {
  const chain = await ancestorsOf(db, ns);
  const values = await valuesOn(db, chain.map((n) => n.id), settings);
  const out: Record<string, boolean | string | null> = {};
  for (const setting of settings) {
    const from = chain.find((n) => values.has(`${n.id}/${setting.key}`));
    out[setting.key] = values.get(`${ns.id}/${setting.key}`) ?? null;
    out[`${setting.key}_effective`] = from ? values.get(`${from.id}/${setting.key}`)! : setting.default;
    out[`${setting.key}_source`] = from ? from.full_path : 'default';
  }
  return out;
}

/** The value in effect in this namespace: set here, or on the nearest namespace above, or the default. */
export async function effectiveFormatSetting<S extends FormatSetting>(db: Db, ns: Namespace, setting: S): Promise<FormatSettingValue<S>> {
  return (await formatSettingsOf(db, ns, [setting]))[`${setting.key}_effective`] as FormatSettingValue<S>;
}

function parseValue(setting: FormatSetting, value: unknown): boolean | string | null {
  if (value === null) return null;
  if (setting.kind === 'regex') {
    // At most 255 characters (GitLab's limit) that JavaScript compiles, as a cleanup policy's regexes.
    if (typeof value === 'string') return validateRegex(setting.key, value) ?? '';
    throw errors.badRequest(`${setting.key} does not have a valid value (a regular expression, "" for none, or null to inherit)`);
  }
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw errors.badRequest(`${setting.key} does not have a valid value (true, false, or null to inherit)`);
}

/** The request's changes to declared settings ("true"/"false" from a form too); anything else is a 400 and changes nothing. */
export function parseFormatSettingsPatch(body: Record<string, unknown>, settings: readonly FormatSetting[]): FormatSettingsPatch {
  const patch: FormatSettingsPatch = {};
  for (const setting of settings) {
    if (body[setting.key] !== undefined) patch[setting.key] = parseValue(setting, body[setting.key]);
  }
  return patch;
}

/** How a value reads in the event's message: a pattern quoted, so that '' shows. */
const shown = (value: boolean | string | null) => (value === null ? 'inherit' : typeof value === 'string' ? JSON.stringify(value) : String(value));

/** Stores the settings that change and records `package_registry_format_settings_updated`, in the caller's transaction. */
export async function updateFormatSettings(
  tx: Tx,
  audit: AuditLog,
  ctx: AuditContext,
  ns: Namespace,
  settings: readonly FormatSetting[],
  patch: FormatSettingsPatch,
): Promise<void> {
  const current = await valuesOn(tx, [ns.id], settings.filter((setting) => patch[setting.key] !== undefined));
  const changes: Changes = {};
  for (const [key, value] of Object.entries(patch)) {
    const before = current.get(`${ns.id}/${key}`) ?? null;
    if (before === value) continue;
    changes[key] = { from: before, to: value };
    await tx.deleteFrom('namespace_format_settings').where('namespace_id', '=', ns.id).where('key', '=', key).execute();
    if (value !== null) await tx.insertInto('namespace_format_settings').values({ namespace_id: ns.id, key, value: stored(value) }).execute();
  }
  if (Object.keys(changes).length === 0) return;
  await audit.record(tx, ctx, {
    eventName: 'package_registry_format_settings_updated',
    scope: namespaceScope(ns),
    target: { id: ns.id, type: ns.kind === 'group' ? 'Group' : 'Namespace', details: ns.full_path },
    customMessage: `Package format settings changed: ${Object.entries(changes).map(([k, c]) => `${k} ${shown(c.from as boolean | string | null)} -> ${shown(c.to as boolean | string | null)}`).join(', ')}`,
    changes,
  });
}
