import type { Db, Tx } from '../../storage/db/database.js';
import { ancestorsOf, type Namespace } from '../accounts/namespaces.js';
import type { AuditLog } from '../audit/audit-log.js';
import { namespaceScope } from '../audit/audit-scope.js';
import type { AuditContext, Changes } from '../audit/audit-types.js';
import { errors } from '../errors.js';

// The settings package formats declare (PackageFormat.settings): yes/no per namespace, set on a
// group or user namespace and inherited below it, the format's default at the top. Changed through
// the package settings API with their own audit event, in one transaction with the change.

/** A yes/no setting of a format, named `<format>_...` (GitLab's generic_duplicates_allowed). */
export interface FormatSetting {
  key: string;
  description: string;
  default: boolean;
}

/** What a request sets: a value, or null to inherit again. */
export type FormatSettingsPatch = Record<string, boolean | null>;

async function valuesOn(db: Db | Tx, namespaceIds: number[], keys: string[]): Promise<Map<string, boolean>> {
  if (namespaceIds.length === 0 || keys.length === 0) return new Map();
  const rows = await db.selectFrom('namespace_format_settings').selectAll().where('namespace_id', 'in', namespaceIds).where('key', 'in', keys).execute();
  return new Map(rows.map((row) => [`${row.namespace_id}/${row.key}`, row.value === 1]));
}

/** Per setting: the value set on `ns` (null: inherited), the value in effect there, and where it comes from. */
export async function formatSettingsOf(db: Db, ns: Namespace, settings: readonly FormatSetting[]): Promise<Record<string, boolean | string | null>> {
  const chain = await ancestorsOf(db, ns);
  const values = await valuesOn(db, chain.map((n) => n.id), settings.map((s) => s.key));
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
export async function effectiveFormatSetting(db: Db, ns: Namespace, setting: FormatSetting): Promise<boolean> {
  return (await formatSettingsOf(db, ns, [setting]))[`${setting.key}_effective`] as boolean;
}

/** The request's changes to declared settings ("true"/"false" from a form too); anything else is a 400. */
export function parseFormatSettingsPatch(body: Record<string, unknown>, settings: readonly FormatSetting[]): FormatSettingsPatch {
  const patch: FormatSettingsPatch = {};
  for (const { key } of settings) {
    const value = body[key];
    if (value === undefined) continue;
    if (value === true || value === 'true') patch[key] = true;
    else if (value === false || value === 'false') patch[key] = false;
    else if (value === null) patch[key] = null;
    else throw errors.badRequest(`${key} does not have a valid value (true, false, or null to inherit)`);
  }
  return patch;
}

/** Stores the settings that change and records `package_registry_format_settings_updated`, in the caller's transaction. */
export async function updateFormatSettings(tx: Tx, audit: AuditLog, ctx: AuditContext, ns: Namespace, patch: FormatSettingsPatch): Promise<void> {
  const current = await valuesOn(tx, [ns.id], Object.keys(patch));
  const changes: Changes = {};
  for (const [key, value] of Object.entries(patch)) {
    const before = current.get(`${ns.id}/${key}`) ?? null;
    if (before === value) continue;
    changes[key] = { from: before, to: value };
    await tx.deleteFrom('namespace_format_settings').where('namespace_id', '=', ns.id).where('key', '=', key).execute();
    if (value !== null) await tx.insertInto('namespace_format_settings').values({ namespace_id: ns.id, key, value: value ? 1 : 0 }).execute();
  }
  if (Object.keys(changes).length === 0) return;
  await audit.record(tx, ctx, {
    eventName: 'package_registry_format_settings_updated',
    scope: namespaceScope(ns),
    target: { id: ns.id, type: ns.kind === 'group' ? 'Group' : 'Namespace', details: ns.full_path },
    customMessage: `Package format settings changed: ${Object.entries(changes).map(([k, c]) => `${k} ${String(c.from ?? 'inherit')} -> ${String(c.to ?? 'inherit')}`).join(', ')}`,
    changes,
  });
}
