import { errors } from '../../core/errors.js';

// Composer's rules for package names and versions, with the messages Composer's own validation
// gives. Names come from the uploaded composer.json and versions from the upload's `version`
// parameter or composer.json, so both end up in URLs and in the version's file name: the
// character classes below are what keeps separators, NUL and control characters out of them.

const MAX_LENGTH = 255;
// Composer's ValidatingArrayLoader (vendor/name, lowercase, single separators).
const NAME = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/;
// What a published version may contain besides Composer's own rule: no "/", no space, no "@"
// (a stability flag or an alias is a constraint, not a version).
const VERSION_CHARACTERS = /^[A-Za-z0-9._+-]+$/;
// The version's one file: <vendor>-<name>-<version>.zip, derived, never the client's choice.
const FILE_NAME = /^[a-z0-9._+-]+\.zip$/i;

// Composer's VersionParser, possessive quantifiers dropped (JavaScript has none; the anchors keep the same matches).
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;

export function assertComposerName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw errors.badRequest('composer.json has no "name" (vendor/name)');
  if (name.length > MAX_LENGTH || !NAME.test(name)) {
    throw errors.badRequest(`name "${printable(name)}" does not match the pattern vendor/name (lowercase letters, digits and single "_", ".", "-" between them)`);
  }
  return name;
}

function printable(value: string): string {
  return value.slice(0, 100).replace(/[^\x20-\x7e]/g, '?');
}

function expandStability(stability: string): string {
  const lower = stability.toLowerCase();
  if (lower === 'a') return 'alpha';
  if (lower === 'b') return 'beta';
  if (lower === 'p' || lower === 'pl') return 'patch';
  if (lower === 'rc') return 'RC';
  return lower;
}

function normalizeBranch(name: string): string {
  const match = NUMERIC_BRANCH.exec(name);
  if (!match) return `dev-${name}`;
  let version = '';
  for (let i = 1; i < 5; i++) version += match[i] !== undefined ? match[i].replace(/[*X]/g, 'x') : '.x';
  return `${version.replace(/x/g, '9999999')}-dev`;
}

/**
 * Composer's VersionParser::normalize for a version a package is published under ("1.0" →
 * "1.0.0.0", "v2.1.0-beta2" → "2.1.0.0-beta2", "dev-main" → "dev-main"); null where Composer
 * calls the version invalid. Aliases and stability flags are constraints and are refused earlier.
 */
export function normalizeComposerVersion(version: string): string | null {
  let v = version;
  if (v === 'master' || v === 'trunk' || v === 'default') v = `dev-${v}`;
  if (v.toLowerCase().startsWith('dev-')) return `dev-${v.slice(4)}`;
  const build = /^([^,\s+]+)\+\S+$/.exec(v);
  if (build) v = build[1];
  let matches = CLASSICAL.exec(v);
  let index: number;
  if (matches) {
    v = matches[1] + (matches[2] || '.0') + (matches[3] || '.0') + (matches[4] || '.0');
    index = 5;
  } else {
    matches = DATE.exec(v);
    if (matches) {
      v = matches[1].replace(/\D/g, '.');
      index = 2;
    } else {
      const dev = /^(.*?)[.-]?dev$/i.exec(v);
      if (dev) {
        const branch = normalizeBranch(dev[1]);
        if (!branch.includes('dev-')) return branch;
      }
      return null;
    }
  }
  if (matches[index]) {
    if (matches[index] === 'stable') return v;
    v += `-${expandStability(matches[index])}${matches[index + 1] ? matches[index + 1].replace(/^[.-]+/, '') : ''}`;
  }
  if (matches[index + 2]) v += '-dev';
  return v;
}

/** A version Composer accepts and Trove can put in a file name; returns it as given (Composer shows it so). */
export function assertComposerVersion(version: unknown): string {
  if (typeof version !== 'string' || version === '') throw errors.badRequest('version is missing: give a version parameter or "version" in composer.json');
  if (version.length > MAX_LENGTH || !VERSION_CHARACTERS.test(version) || version.includes('..') || normalizeComposerVersion(version) === null) {
    throw errors.badRequest(`version "${printable(version)}" is not a valid Composer version`);
  }
  return version;
}

/** The normalized form of a version assertComposerVersion accepted. */
export function composerVersionNormalized(version: string): string {
  return normalizeComposerVersion(version)!;
}

/** The stored file of a version: "acme/http-client" 1.0.0 → "acme-http-client-1.0.0.zip". */
export function composerFileName(name: string, version: string): string {
  return `${name.replace('/', '-')}-${version}.zip`;
}

export function assertComposerFileName(fileName: unknown): string {
  if (typeof fileName !== 'string' || fileName.length > MAX_LENGTH || !FILE_NAME.test(fileName) || fileName.includes('..')) {
    throw errors.badRequest('file_name is invalid');
  }
  return fileName;
}
