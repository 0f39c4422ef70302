import { errors } from '../errors.js';

// GitLab's rules for usernames and group/project paths: letters, digits, '_', '.', '-',
// starting with a letter, digit or '_', not ending in '.git' or '.atom', and not a route
// Trove itself uses.
const PATH_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,254}$/;
const RESERVED = new Set(['-', 'api', 'admin', 'assets', 'explore', 'help', 'login', 'logout', 'groups', 'projects', 'users', 'uploads']);

export function assertValidPath(value: unknown, what: string): string {
  if (typeof value !== 'string' || !PATH_PATTERN.test(value)) {
    throw errors.badRequest(`${what} can contain only letters, digits, '_', '-' and '.', and cannot start with '-' or '.'`);
  }
  if (/\.(git|atom)$/i.test(value) || /[._-]{2}/.test(value) || RESERVED.has(value.toLowerCase())) {
    throw errors.badRequest(`${what} "${value}" is reserved or not allowed`);
  }
  return value;
}

export function assertValidName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw errors.badRequest(`${what} must be 1-255 printable characters`);
  }
  return value;
}
