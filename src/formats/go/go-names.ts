import { errors } from '../../core/errors.js';

// Go's rules for module paths and versions (golang.org/x/mod/module: CheckPath, EscapePath,
// UnescapePath, CheckFilePath; golang.org/x/mod/semver), and the GOPROXY URL layout
// (`go help goproxy`): <escaped module>/@v/list, /@v/<escaped version>.info|.mod|.zip, /@latest.
// The router has decoded the URL, so %2F and %2E%2E arrive as / and ..: every element is
// checked here, which is what keeps traversal and separators out of stored names.

/** Longer paths are possible in Go but not here: a package name is at most 255 characters. */
const MAX_LENGTH = 255;

function invalid(what: string, detail: string): never {
  throw errors.badRequest(`${what} is invalid: ${detail}`);
}

// Windows reserved names (CheckPath refuses them as the part of an element before its first dot).
const RESERVED = new Set(['con', 'prn', 'aux', 'nul', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`com${n}`, `lpt${n}`])]);

const MODULE_PATH_CHAR = /^[A-Za-z0-9._~-]$/;
// File paths inside a module zip: module.fileNameOK, ASCII part (letters, digits, most punctuation;
// never " ' * < > ? ` | / \ :); non-ASCII letters are allowed by Go and here.
const FILE_PATH_CHAR = /^(?:[A-Za-z0-9!#$%&()+,\-.;=@[\]^_{}~ ]|\p{L})$/u;

/** One element of a path: module.checkElem. `file`: an element of a file path (leading dots allowed). */
function checkElement(element: string, file: boolean): string | null {
  if (element === '') return 'empty path element (leading, trailing or double slash)';
  if (element === '.' || element === '..') return `"${element}" path element`;
  if (!file && element.startsWith('.')) return 'leading dot in path element';
  if (element.endsWith('.')) return 'trailing dot in path element';
  for (const char of element) {
    if (!(file ? FILE_PATH_CHAR : MODULE_PATH_CHAR).test(char)) return `invalid character ${JSON.stringify(char)} in path element`;
  }
  const short = element.split('.')[0]!;
  if (RESERVED.has(short.toLowerCase())) return `${short} is a disallowed path element (Windows reserved name)`;
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) return 'trailing tilde and digits in path element';
  return null;
}

/**
 * The major version a module path's suffix names: /vN (N >= 2), gopkg.in's .vN; null without one.
 * Returns undefined when the suffix itself is invalid (/v0, /v1, /v01).
 */
export function pathMajor(modulePath: string): number | null | undefined {
  if (modulePath.startsWith('gopkg.in/')) {
    const match = /\.v(0|[1-9][0-9]*)(-unstable)?$/.exec(modulePath);
    return match ? Number(match[1]) : undefined;
  }
  const match = /\/v([0-9]+)$/.exec(modulePath);
  if (!match) return null;
  const digits = match[1]!;
  if (digits.startsWith('0') || digits === '1') return undefined;
  return Number(digits);
}

/** A module path by module.CheckPath; the path as given, or a 400. */
export function assertGoModulePath(path: string): string {
  const fail: (detail: string) => never = (detail) => invalid('module path', detail);
  if (path.length === 0) fail('empty');
  if (path.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  if (path.startsWith('/')) fail('leading slash');
  const elements = path.split('/');
  const first = elements[0]!;
  if (!first.includes('.')) fail('missing dot in first path element');
  if (first.startsWith('-')) fail('leading dash in first path element');
  if (!/^[a-z0-9.-]+$/.test(first)) fail('first path element may hold only lowercase letters, digits, dots and dashes');
  for (const element of elements) {
    const problem = checkElement(element, false);
    if (problem) fail(problem);
  }
  if (pathMajor(path) === undefined) fail('invalid major version suffix');
  return path;
}

/** A file path inside a module zip (module.CheckFilePath): relative, clean, no traversal. */
export function checkGoFilePath(path: string): string | null {
  if (path === '') return 'empty path';
  if (path.length > 4096) return 'path too long';
  for (const element of path.split('/')) {
    const problem = checkElement(element, true);
    if (problem) return problem;
  }
  return null;
}

const IDENTIFIER = /^[0-9A-Za-z-]+$/;

/**
 * A canonical semantic version with Go's `v` prefix (what module.Check accepts and proxies serve):
 * vMAJOR.MINOR.PATCH, an optional pre-release (pseudo-versions are pre-releases), and no build
 * metadata except `+incompatible`.
 */
export function assertGoVersion(version: string): string {
  const fail: (detail: string) => never = (detail) => invalid('version', detail);
  if (version.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  const match = /^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([^+]+))?(\+incompatible)?$/.exec(version);
  if (!match) fail('must be a canonical semantic version such as v1.2.3, v1.2.3-pre, v0.0.0-20240101000000-abcdef123456 or v2.0.0+incompatible');
  const prerelease = match[4];
  if (prerelease !== undefined) {
    for (const id of prerelease.split('.')) {
      if (!IDENTIFIER.test(id)) fail('pre-release identifiers hold letters, digits and dashes');
      if (/^0[0-9]+$/.test(id)) fail('numeric pre-release identifiers have no leading zero');
    }
  }
  if (match[5] && Number(match[1]) < 2) fail('+incompatible needs a major version of 2 or more');
  return version;
}

/** The major version of a valid version. */
export const majorOf = (version: string) => Number(/^v([0-9]+)/.exec(version)![1]);

/** A version fits a module path as module.CheckPathMajor has it: /vN needs vN.x.y; no suffix needs v0/v1 or +incompatible. */
export function assertVersionFitsPath(modulePath: string, version: string): void {
  const major = majorOf(version);
  const suffix = pathMajor(modulePath);
  const incompatible = version.endsWith('+incompatible');
  if (modulePath.startsWith('gopkg.in/')) {
    if (suffix !== major && !(suffix === 1 && major === 0)) invalid('version', `${version} does not match the module path's major version .v${suffix}`);
    return;
  }
  if (suffix === null) {
    if (major >= 2 && !incompatible) invalid('version', `${version} needs a module path ending in /v${major} (or +incompatible)`);
    return;
  }
  if (incompatible || major !== suffix) invalid('version', `${version} does not match the module path's major version /v${suffix}`);
}

// Go's pseudo-version: a pre-release naming a commit time and revision (module.IsPseudoVersion).
const PSEUDO = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export const isPseudoVersion = (version: string) => PSEUDO.test(version);

/**
 * GOPROXY's case encoding (module.UnescapePath): an uppercase letter travels as "!" and its
 * lowercase. An uppercase letter, or a "!" not followed by a lowercase letter, is not an escaped path.
 */
export function unescapeGoPath(escaped: string): string | null {
  if (/[A-Z]/.test(escaped) || /![^a-z]|!$/.test(escaped)) return null;
  return escaped.replace(/!([a-z])/g, (_all, letter: string) => letter.toUpperCase());
}

/** The reverse of unescapeGoPath (module.EscapePath). */
export const escapeGoPath = (path: string) => path.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);

export type GoFileKind = 'info' | 'mod' | 'zip';
export const GO_FILE_KINDS: readonly GoFileKind[] = ['info', 'mod', 'zip'];

/** What a GOPROXY URL below .../packages/go/ asks for. */
export type GoPath =
  | { module: string; kind: 'list' }
  | { module: string; kind: 'latest' }
  | { module: string; kind: GoFileKind; version: string };

/**
 * Parses `<escaped module>/@v/list`, `/@latest` or `/@v/<escaped version>.<info|mod|zip>` into the
 * unescaped, validated module path and version; a 400 (the caller decides how to answer) otherwise.
 */
export function parseGoPath(rest: string): GoPath {
  const at = rest.indexOf('/@');
  if (at < 0) invalid('path', 'expected <module>/@v/... or <module>/@latest');
  const module = unescapeGoPath(rest.slice(0, at));
  if (module === null) invalid('module path', 'not case-encoded (uppercase letters travel as "!" and the lowercase letter)');
  assertGoModulePath(module);
  const tail = rest.slice(at + 1);
  if (tail === '@latest') return { module, kind: 'latest' };
  if (tail === '@v/list') return { module, kind: 'list' };
  const file = /^@v\/([^/]+)\.(info|mod|zip)$/.exec(tail);
  if (!file) invalid('path', 'expected @v/list, @latest or @v/<version>.info|.mod|.zip');
  const version = unescapeGoPath(file[1]!);
  if (version === null) invalid('version', 'not case-encoded');
  assertGoVersion(version);
  return { module, kind: file[2] as GoFileKind, version };
}

/** The file name a version's .info, .mod or .zip is stored under (as GitLab names them: v1.2.3.mod). */
export const goFileName = (version: string, kind: GoFileKind) => `${version}.${kind}`;

/** A stored file name of a Go version: <valid version>.info|.mod|.zip. */
export function assertGoFileName(fileName: string): string {
  const match = /^(.+)\.(info|mod|zip)$/.exec(fileName);
  if (!match) invalid('file name', 'must be <version>.info, <version>.mod or <version>.zip');
  assertGoVersion(match[1]!);
  return fileName;
}
