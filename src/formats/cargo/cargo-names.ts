import { errors } from '../../core/errors.js';
import { printableValue } from '../format-names.js';

// Cargo's rules for what a registry accepts (crates.io's, which cargo itself checks before a
// publish): a crate name is ASCII letters, digits, '-' and '_', starts with a letter and is at
// most 64 characters; a version is a SemVer 2.0 version. Names are unique regardless of case and
// of '-' against '_' ("foo-bar" and "Foo_Bar" are one crate), so they are looked up normalised.
// A name is a segment of index paths and stored file names: the character set keeps both safe.

const MAX_NAME_LENGTH = 64;
const MAX_VERSION_LENGTH = 128;
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
// semver.org's pattern: MAJOR.MINOR.PATCH, optional pre-release and build metadata.
const VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// Names Windows cannot create as files, which crates.io refuses so that a crate unpacks everywhere.
const RESERVED = new Set(['nul', 'con', 'prn', 'aux', 'com1', 'com2', 'com3', 'com4', 'com5', 'com6', 'com7', 'com8', 'com9', 'lpt1', 'lpt2', 'lpt3', 'lpt4', 'lpt5', 'lpt6', 'lpt7', 'lpt8', 'lpt9']);

export function assertCrateName(name: unknown): string {
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || !NAME.test(name) || RESERVED.has(name.toLowerCase())) {
    throw errors.badRequest(`Invalid crate name ${JSON.stringify(printableValue(name))}: ASCII letters, digits, "-" and "_", starting with a letter, at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}

export function assertCrateVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length > MAX_VERSION_LENGTH || !VERSION.test(version)) {
    throw errors.badRequest(`Invalid crate version ${JSON.stringify(printableValue(version))}: a SemVer version such as 1.0.0`);
  }
  return version;
}

/** The name a crate is looked up by: lowercase, '-' as '_' (crates.io's uniqueness rule). */
export function normalizeCrateName(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}

/** A version without its build metadata: versions equal so are one version to cargo ("1.0.0+a" = "1.0.0+b"). */
export function withoutBuildMetadata(version: string): string {
  const plus = version.indexOf('+');
  return plus === -1 ? version : version.slice(0, plus);
}

/** The .crate file of a version, as cargo names it. */
export function crateFileName(name: string, version: string): string {
  return `${name}-${version}.crate`;
}

/** A stored crate file name (`<name>-<version>.crate`), checked as the conformance suite asks of every format. */
export function assertCrateFileName(fileName: unknown): string {
  const match = typeof fileName === 'string' ? /^([A-Za-z][A-Za-z0-9_-]*?)-(\d+\.\d+\.\d+.*)\.crate$/.exec(fileName) : null;
  if (!match) throw errors.badRequest(`Invalid crate file name ${JSON.stringify(printableValue(fileName))}`);
  return crateFileName(assertCrateName(match[1]), assertCrateVersion(match[2]));
}

/**
 * The sparse index path of a crate (cargo's layout): `1/<name>`, `2/<name>`, `3/<first>/<name>`,
 * else `<first two>/<next two>/<name>`, all lowercase.
 */
export function indexPath(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length <= 2) return `${lower.length}/${lower}`;
  if (lower.length === 3) return `3/${lower[0]}/${lower}`;
  return `${lower.slice(0, 2)}/${lower.slice(2, 4)}/${lower}`;
}
