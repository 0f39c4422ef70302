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
  package_audit_events: 'enabled' | 'disabled';
  package_download_events: 'enabled' | 'disabled';
}

/** Walks up from the namespace until a group or namespace says enabled/disabled; else the instance default. */
export async function effectiveSetting(
  db: Db,
  namespaceId: number,
  key: SettingKey,
  defaults: InstanceDefaults,
): Promise<EffectiveSetting> {
  let id: number | null = namespaceId;
  while (id !== null) {
    // Looked up on every package write (and download batch): compiled once (row-lookup.ts).
    const ns: Pick<Namespace, 'parent_id' | 'full_path' | SettingKey> | undefined = await findRow(db, 'namespaces', { id });
    if (!ns) break;
    const value = ns[key];
    if (value !== 'inherit') return { value, source: ns.full_path };
    id = ns.parent_id;
  }
  return { value: defaults[key], source: 'instance' };
}
