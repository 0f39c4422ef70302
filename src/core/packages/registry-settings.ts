import type { PackageSettings } from '../../contracts/package-settings.js';
import type { Db } from '../../storage/db/database.js';
import { AccessLevel } from '../accounts/access-levels.js';
import { ancestorsOf, type Namespace } from '../accounts/namespaces.js';
import { requireApiUser, userNamespaceLevel } from '../accounts/permissions.js';
import type { AuditLog } from '../audit/audit-log.js';
import { namespaceScope } from '../audit/audit-scope.js';
import { effectiveIfSet, effectiveSetting, instanceSetting, isEnforced, SETTING_VALUES, type SettingKey, type SettingValue } from '../audit/audit-settings.js';
import type { AuditContext, Changes } from '../audit/audit-types.js';
import { errors } from '../errors.js';
import { formatSettingsOf, parseFormatSettingsPatch, updateFormatSettings, type FormatSetting } from './format-settings.js';
import type { Principal } from '../tokens/principal.js';

// A group's or user namespace's package registry settings: the audit settings (docs/architecture.md#what-is-recorded) and the
// settings the formats declare (src/core/packages/format-settings.ts). Reading them with what is in
// effect, and changing them with their audit events in one transaction.

export const REGISTRY_SETTING_KEYS: readonly SettingKey[] = ['package_audit_events', 'package_download_events'];

/** Each setting's own value, the value in effect and where it comes from, and what `inherit` would give. */
export async function registrySettingsOf(db: Db, audit: AuditLog, ns: Namespace, formatSettings: readonly FormatSetting[]): Promise<PackageSettings> {
  const defaults = audit.instanceDefaults;
  const described = async (key: SettingKey) => {
    const effective = await effectiveSetting(db, ns.id, key, defaults);
    // What `inherit` would give here (the parent's value, or the instance default), for the UI to show next to an explicit value.
    const inherited = ns.parent_id === null ? instanceSetting(defaults, key) : await effectiveSetting(db, ns.parent_id, key, defaults);
    return { value: ns[key], effective, inherited };
  };
  const audits = await described('package_audit_events');
  const downloads = await described('package_download_events');
  return {
    package_audit_events: audits.value,
    package_audit_events_effective: audits.effective.value,
    package_audit_events_source: audits.effective.source,
    package_audit_events_inherited: audits.inherited.value,
    package_audit_events_inherited_source: audits.inherited.source,
    package_download_events: downloads.value,
    package_download_events_effective: downloads.effective.value,
    package_download_events_source: downloads.effective.source,
    package_download_events_inherited: downloads.inherited.value,
    package_download_events_inherited_source: downloads.inherited.source,
    package_audit_events_enforced: isEnforced(defaults, 'package_audit_events'),
    ...(await formatSettingsOf(db, ns, formatSettings)),
  };
}

/**
 * Applies a change of the settings (other fields are refused with a message that names the settings)
 * and records package_registry_audit_settings_updated and package_registry_format_settings_updated in
 * the same transaction: always, even when the change turns package auditing off (docs/architecture.md#what-is-recorded). A change
 * that changes nothing records nothing.
 */
export async function updateRegistrySettings(
  db: Db,
  audit: AuditLog,
  ctx: AuditContext,
  principal: Principal,
  ns: Namespace,
  body: Partial<Record<string, unknown>>,
  formatSettings: readonly FormatSetting[],
): Promise<PackageSettings> {
  const allowed = [...REGISTRY_SETTING_KEYS, ...formatSettings.map((setting) => setting.key)];
  if (Object.keys(body).some((key) => !allowed.includes(key))) {
    throw errors.badRequest(`Only ${allowed.join(', ')} can be changed here`);
  }
  const formatPatch = parseFormatSettingsPatch(body, formatSettings);
  const changes: Changes = {};
  const patch: Partial<Record<SettingKey, SettingValue>> = {};
  for (const key of REGISTRY_SETTING_KEYS) {
    if (body[key] === undefined) continue;
    const value = SETTING_VALUES.find((v) => v === body[key]);
    if (value === undefined) throw errors.badRequest(`${key} does not have a valid value (enabled, disabled, inherit)`);
    if (value !== ns[key]) {
      patch[key] = value;
      changes[key] = { from: ns[key], to: value };
    }
  }
  if (patch.package_audit_events !== undefined) await assertMayTurnOffAuditing(db, audit, principal, ns, patch.package_audit_events);
  if (Object.keys(patch).length > 0 || Object.keys(formatPatch).length > 0) {
    await db.transaction().execute(async (tx) => {
      await updateFormatSettings(tx, audit, ctx, ns, formatSettings, formatPatch);
      if (Object.keys(patch).length === 0) return;
      await tx.updateTable('namespaces').set(patch).where('id', '=', ns.id).execute();
      await audit.record(tx, ctx, {
        eventName: 'package_registry_audit_settings_updated',
        scope: namespaceScope(ns),
        target: { id: ns.id, type: ns.kind === 'group' ? 'Group' : 'Namespace', details: ns.full_path },
        customMessage: `Package registry audit settings changed: ${Object.entries(changes).map(([k, c]) => `${k} ${String(c.from)} -> ${String(c.to)}`).join(', ')}`,
        changes,
      });
    });
  }
  return registrySettingsOf(db, audit, { ...ns, ...patch }, formatSettings);
}

/**
 * A change that leaves package audit events off here (`disabled`, or `inherit` of a disabled
 * parent) is refused when the instance enforces them, and below the top level needs an owner of
 * the top-level group: whoever creates a subgroup owns it, maintainers of the group above included.
 */
async function assertMayTurnOffAuditing(db: Db, audit: AuditLog, principal: Principal, ns: Namespace, value: SettingValue): Promise<void> {
  const defaults = audit.instanceDefaults;
  if (value === 'disabled' && isEnforced(defaults, 'package_audit_events')) {
    throw errors.forbidden('403 Forbidden - package audit events are enforced on this instance (TROVE_PACKAGE_AUDIT_EVENTS=enforced) and cannot be disabled');
  }
  if (ns.parent_id === null || (await effectiveIfSet(db, ns, 'package_audit_events', value, defaults)).value === 'enabled') return;
  const user = requireApiUser(principal, true);
  const top = (await ancestorsOf(db, ns)).at(-1)!;
  if ((await userNamespaceLevel(db, user.user.id, user.user.is_admin === 1, top)) < AccessLevel.owner) {
    throw errors.forbidden(`403 Forbidden - only an owner of the top-level group ${top.full_path} can turn package audit events off below it`);
  }
}
