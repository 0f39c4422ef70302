import type { Db } from '../../storage/db/database.js';
import { findRow } from '../../storage/db/row-lookup.js';
import type { Namespace } from '../accounts/namespaces.js';

export type SettingValue = 'enabled' | 'disabled' | 'inherit';
export type SettingKey = 'package_audit_events' | 'package_download_events';
export const SETTING_VALUES: readonly SettingValue[] = ['enabled', 'disabled', 'inherit'];

export interface EffectiveSetting {
  value: 'enabled' | 'disabled';
  /** Where the value comes from: the namespace's full path, or "instance". */
  source: string;
}

export interface InstanceDefaults {
  /** `enforced`: enabled everywhere, whatever a group or namespace says, and nobody can disable it. */
  package_audit_events: 'enabled' | 'disabled' | 'enforced';
  package_download_events: 'enabled' | 'disabled';
}

/** The instance's own value of a setting (what `inherit` gives at the top). */
export function instanceSetting(defaults: InstanceDefaults, key: SettingKey): EffectiveSetting {
  const value = defaults[key];
  return { value: value === 'enforced' ? 'enabled' : value, source: 'instance' };
}

export function isEnforced(defaults: InstanceDefaults, key: SettingKey): boolean {
  return defaults[key] === 'enforced';
}

/** Walks up from the namespace until a group or namespace says enabled/disabled; else the instance default. */
export async function effectiveSetting(
  db: Db,
  namespaceId: number,
  key: SettingKey,
  defaults: InstanceDefaults,
): Promise<EffectiveSetting> {
  if (isEnforced(defaults, key)) return instanceSetting(defaults, key);
  let id: number | null = namespaceId;
  while (id !== null) {
    // Looked up on every package write (and download batch): compiled once (row-lookup.ts).
    const ns: Pick<Namespace, 'parent_id' | 'full_path' | SettingKey> | undefined = await findRow(db, 'namespaces', { id });
    if (!ns) break;
    const value = ns[key];
    if (value !== 'inherit') return { value, source: ns.full_path };
    id = ns.parent_id;
  }
  return instanceSetting(defaults, key);
}

/** The value a namespace would have in effect if `value` were set on it. */
export async function effectiveIfSet(db: Db, ns: Pick<Namespace, 'parent_id' | 'full_path'>, key: SettingKey, value: SettingValue, defaults: InstanceDefaults): Promise<EffectiveSetting> {
  if (isEnforced(defaults, key)) return instanceSetting(defaults, key);
  if (value !== 'inherit') return { value, source: ns.full_path };
  return ns.parent_id === null ? instanceSetting(defaults, key) : effectiveSetting(db, ns.parent_id, key, defaults);
}
