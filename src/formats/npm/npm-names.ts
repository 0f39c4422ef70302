import semver from 'semver';
import validatePackageName from 'validate-npm-package-name';
import { errors } from '../../core/errors.js';

// npm's own rules for names, versions and dist-tags, via the libraries npm itself uses.

// validate-npm-package-name checks only that a scope is URL-safe, so "@..", "@." and "@~" pass.
// A scope names an npm user or organisation, and npm's user names begin with a letter or digit
// and are lowercase: the same here, with ".", "_" and "-" after the first character.
const SCOPE = /^[a-z0-9][a-z0-9._-]*$/;

export function assertNpmName(name: unknown): string {
  if (typeof name !== 'string') throw errors.badRequest('Package name is missing');
  const result = validatePackageName(name);
  if (!result.validForNewPackages) {
    const problems = [...(result.errors ?? []), ...(result.warnings ?? [])].join('; ');
    throw errors.badRequest(`Invalid package name "${name}": ${problems}`);
  }
  if (name.startsWith('@') && !SCOPE.test(name.slice(1, name.indexOf('/')))) {
    throw errors.badRequest(
      `Invalid package name "${name}": a scope must begin with a lowercase letter or digit and contain only lowercase letters, digits, ".", "_" and "-"`,
    );
  }
  return name;
}

export function assertNpmVersion(version: unknown): string {
  if (typeof version !== 'string' || semver.valid(version) !== version) {
    throw errors.badRequest(`Invalid version: ${JSON.stringify(version)} is not a valid semver version`);
  }
  return version;
}

// Whether a tag parses as a semver range, by tag: every publish checks its tags (nearly always
// "latest"), and semver.validRange parses a range each time (about 2 % of a publish's CPU in the profile).
const RANGE_VERDICTS_MAX = 1000;
const rangeVerdicts = new Map<string, boolean>();

function isSemverRange(tag: string): boolean {
  let verdict = rangeVerdicts.get(tag);
  if (verdict === undefined) {
    verdict = semver.validRange(tag) !== null;
    if (rangeVerdicts.size >= RANGE_VERDICTS_MAX) rangeVerdicts.clear();
    rangeVerdicts.set(tag, verdict);
  }
  return verdict;
}

/** A dist-tag must not look like a version or range (npm would resolve it as one) and must be URL-safe. */
export function assertDistTag(tag: unknown): string {
  if (typeof tag !== 'string' || tag === '' || tag.length > 255 || encodeURIComponent(tag) !== tag || isSemverRange(tag)) {
    throw errors.badRequest(`Invalid tag name ${JSON.stringify(tag)}: tags must be URL-safe and must not be valid semver ranges`);
  }
  return tag;
}

/** npm's tarball file name: "ui-kit-1.4.0.tgz" for "@acme/ui-kit" 1.4.0. */
export function tarballFileName(name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${base}-${version}.tgz`;
}

/** A tarball name as npm makes them (tarballFileName): lowercase, no separators or "..", ending in .tgz. */
export function assertTarballFileName(fileName: unknown): string {
  if (typeof fileName !== 'string' || !/^[a-z0-9][a-z0-9._+-]*\.tgz$/.test(fileName) || fileName.includes('..')) {
    throw errors.badRequest(`Invalid tarball name ${JSON.stringify(fileName)}`);
  }
  return fileName;
}

/** Splits the path after /packages/npm/ into the package name and what follows it. */
export function splitNamePath(rest: string): { name: string; tail: string[] } {
  const segments = rest.split('/').filter((s) => s !== '');
  const take = segments[0]?.startsWith('@') ? 2 : 1;
  return { name: segments.slice(0, take).join('/'), tail: segments.slice(take) };
}
