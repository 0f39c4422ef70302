// GitLab's access levels; membership in a group is inherited by its subgroups and projects.
export const AccessLevel = {
  none: 0,
  guest: 10,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;

export const VALID_ACCESS_LEVELS: readonly number[] = [10, 20, 30, 40, 50];

export type Visibility = 'private' | 'internal' | 'public';
export const VISIBILITIES: readonly Visibility[] = ['private', 'internal', 'public'];

const LEVEL_NAMES: Record<number, string> = { 0: 'no access', 10: 'guest', 20: 'reporter', 30: 'developer', 40: 'maintainer', 50: 'owner' };

/** "owner", "developer", … for messages. */
export function accessLevelName(level: number): string {
  return LEVEL_NAMES[level] ?? `level ${level}`;
}
