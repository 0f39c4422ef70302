import type { PackageRow } from '../../core/packages/packages.js';
import { errors } from '../../core/errors.js';
import type { QueryValue } from '../format-schemas.js';

// GitLab's rules for the three path segments of a generic package file
// (Gitlab::Regex.generic_package_name_regex / generic_package_version_regex /
// generic_package_file_name_regex), with the answer GitLab gives: "<param> is invalid".
// The URL decoder has already turned %2F, %5C and %00 into the characters themselves, so the
// character classes below are what keeps separators, NUL and control characters out.

const MAX_LENGTH = 255;
const NAME = /^[A-Za-z0-9._-]+$/;
// GitLab's generic version rule (shared with Maven): word characters, '+', '.', '-', never "..".
const VERSION = /^(?!.*\.\.)[A-Za-z0-9_+.-]+$/;
// '+' and '~' are allowed in file names (Debian's "1.2.3~rc1+dfsg" versions end up in them).
const FILE_NAME = /^[A-Za-z0-9._+~-]+$/;

function invalid(param: string): never {
  throw errors.badRequest(`${param} is invalid`);
}

/** Names that are only dots or contain ".." would read as path traversal to whoever stores the file by name. */
function looksLikeTraversal(value: string): boolean {
  return value.includes('..') || /^\.+$/.test(value);
}

export function assertGenericName(name: string): string {
  if (name.length > MAX_LENGTH || !NAME.test(name) || looksLikeTraversal(name)) invalid('package_name');
  return name;
}

export function assertGenericVersion(version: string): string {
  if (version.length > MAX_LENGTH || !VERSION.test(version)) invalid('package_version');
  return version;
}

export function assertGenericFileName(fileName: string): string {
  if (fileName.length > MAX_LENGTH || !FILE_NAME.test(fileName) || looksLikeTraversal(fileName)) invalid('file_name');
  return fileName;
}

export type GenericStatus = Extract<PackageRow['status'], 'default' | 'hidden'>;

/** `?status=`: GitLab accepts default and hidden on upload; absent means "leave as it is" (default for a new version). */
export function parseGenericStatus(status: QueryValue | undefined): GenericStatus | undefined {
  if (status === undefined) return undefined;
  if (status === 'default' || status === 'hidden') return status;
  throw errors.badRequest('status does not have a valid value');
}

/** `?select=package_file` answers with the stored file instead of {"message":"201 Created"}. */
export function parseGenericSelect(select: QueryValue | undefined): 'package_file' | undefined {
  if (select === undefined) return undefined;
  if (select === 'package_file') return select;
  throw errors.badRequest('select does not have a valid value');
}
