import { ApiError } from '../api';

/** GitLab's access levels, as the members API speaks them. */
export const ACCESS_LEVELS = [
  { value: 10, label: 'Guest' },
  { value: 20, label: 'Reporter' },
  { value: 30, label: 'Developer' },
  { value: 40, label: 'Maintainer' },
  { value: 50, label: 'Owner' },
];

export function levelName(level: number): string {
  return ACCESS_LEVELS.find((l) => l.value === level)?.label ?? `level ${level}`;
}

/**
 * A refused membership change as a sentence: the API's reason without its status prefix
 * ("403 Forbidden - the last owner ..."), and the bare refusals GitLab gives without one.
 */
export function memberErrorText(error: unknown, what: 'group' | 'project'): string {
  if (!(error instanceof ApiError)) return (error as Error).message;
  if (error.status === 403 && /^403 Forbidden$/.test(error.message)) return `Only maintainers and owners of this ${what} can change its members.`;
  if (error.status === 409) return 'That user is already a member here. Change their level in the list instead.';
  const reason = error.message.replace(/^\d{3} [A-Za-z ]+ - /, '');
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}
