import { errors } from '../../core/errors.js';
import { printableValue } from '../format-names.js';

// RubyGems' rules (Gem::Specification's VALID_NAME_PATTERN, Gem::Version's canonical form,
// Gem::Platform's cpu-os-version triple), narrowed where a loose value would be unsafe here: a
// name is part of a stored file name and of URLs (/gems/<name>-<version>.gem), so separators,
// leading dots or dashes and ".." are refused. Each function returns the value or throws a 400,
// which the routes answer in plain text as rubygems.org does.

const MAX_NAME_LENGTH = 255;
const MAX_VERSION_LENGTH = 128;
const MAX_PLATFORM_LENGTH = 64;

// Letters, digits, '.', '-', '_', at least one letter (rubygems.org's rule), starting with neither '.' nor '-'.
const NAME = /^(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_][A-Za-z0-9._-]*$/;
// Gem::Version#to_s after `gem build`: dot-separated segments, the first numeric; a prerelease
// written "1.0-rc1" is already "1.0.pre.rc1" in the built gem's specification.
const VERSION = /^[0-9]+(?:\.[0-9A-Za-z]+)*$/;
// "ruby", or Gem::Platform#to_s: cpu[-os[-version]] ("x86_64-linux", "java", "x64-mingw-ucrt").
const PLATFORM = /^[A-Za-z0-9_]+(?:-[A-Za-z0-9_.]+){0,2}$/;

export const RUBY_PLATFORM = 'ruby';

export function assertGemName(name: unknown): string {
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || !NAME.test(name) || name.includes('..')) {
    throw errors.badRequest(`Invalid gem name ${JSON.stringify(printableValue(name))}: letters, digits, ".", "-" and "_", with at least one letter`);
  }
  return name;
}

export function assertGemVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length > MAX_VERSION_LENGTH || !VERSION.test(version)) {
    throw errors.badRequest(`Invalid gem version ${JSON.stringify(printableValue(version))}`);
  }
  return version;
}

export function assertGemPlatform(platform: unknown): string {
  if (platform === undefined || platform === null || platform === '') return RUBY_PLATFORM;
  if (typeof platform !== 'string' || platform.length > MAX_PLATFORM_LENGTH || !PLATFORM.test(platform)) {
    throw errors.badRequest(`Invalid gem platform ${JSON.stringify(printableValue(platform))}`);
  }
  return platform;
}

/** Gem::Specification#full_name: `<name>-<version>`, with `-<platform>` unless the platform is "ruby". */
export function gemFullName(name: string, version: string, platform: string): string {
  return platform === RUBY_PLATFORM ? `${name}-${version}` : `${name}-${version}-${platform}`;
}

/**
 * A requested `.gem` (or `.gemspec.rz`) file name: `<full name><suffix>`, where the full name is made of
 * the characters names, versions and platforms may hold. Which version it is, is found by looking the
 * file name up: names and platforms both contain '-', so it cannot be split reliably.
 */
export function assertGemFileName(fileName: unknown, suffix = '.gem'): string {
  const fullName = typeof fileName === 'string' && fileName.endsWith(suffix) ? fileName.slice(0, -suffix.length) : '';
  if (fullName.length > MAX_NAME_LENGTH + MAX_VERSION_LENGTH + MAX_PLATFORM_LENGTH + 2 || !/^[A-Za-z0-9_][A-Za-z0-9._-]*-[0-9][A-Za-z0-9._-]*$/.test(fullName) || fullName.includes('..')) {
    throw errors.badRequest(`Invalid gem file name ${JSON.stringify(printableValue(fileName))}`);
  }
  return `${fullName}${suffix}`;
}
