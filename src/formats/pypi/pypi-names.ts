import pep440 from '@renovatebot/pep440';
import { errors } from '../../core/errors.js';

// PyPI's naming rules: PEP 508 project names, PEP 503 normalisation, PEP 440 versions,
// and the wheel (PEP 427) / sdist (PEP 625) file-name conventions.

const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** PEP 503: runs of '-', '_' and '.' become one '-', lower case. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export function assertPypiName(name: unknown): string {
  if (typeof name !== 'string' || name.length > 200 || !PROJECT_NAME.test(name)) {
    throw errors.badRequest(`Invalid project name ${JSON.stringify(name)}: see PEP 508 (letters, digits, '.', '-', '_', starting and ending with a letter or digit)`);
  }
  return name;
}

export function assertPypiVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length > 128 || pep440.valid(version) === null) {
    throw errors.badRequest(`Invalid version ${JSON.stringify(version)}: not a PEP 440 version`);
  }
  return version;
}

export function sameVersion(a: string, b: string): boolean {
  return pep440.eq(a, b);
}

/**
 * File names are used in URLs, HTTP headers and on disk by clients: no separators, NUL, control
 * characters, '..' or hidden names, and only the characters a wheel (PEP 427) or sdist (PEP 625)
 * name can hold: ASCII letters and digits, '.', '_', '-', and '+' / '!' from PEP 440 versions.
 */
export function assertPypiFileName(fileName: unknown): string {
  if (
    typeof fileName !== 'string' ||
    fileName.length === 0 ||
    fileName.length > 255 ||
    !/^[A-Za-z0-9._+!-]+$/.test(fileName) ||
    fileName.includes('..') ||
    fileName.startsWith('.')
  ) {
    throw errors.badRequest(`Invalid file name ${JSON.stringify(fileName)}`);
  }
  return fileName;
}

const WHEEL = /^(?<dist>[^-]+)-(?<version>[^-]+)(?:-(?<build>\d[^-]*))?-(?<py>[^-]+)-(?<abi>[^-]+)-(?<plat>[^-]+)\.whl$/;
const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz'];

export type PypiFileType = 'bdist_wheel' | 'sdist';

/**
 * The file name must belong to the project and version being uploaded: a wheel's
 * distribution and version fields, or an sdist's "<name>-<version>" stem (the name in its
 * original or PEP 625 underscore form; names may contain '-', so every split is tried).
 */
export function assertFileBelongs(fileName: string, filetype: PypiFileType, normalizedName: string, version: string): void {
  const mismatch = () => errors.badRequest(`File name ${fileName} does not match project ${normalizedName} version ${version}`);
  if (filetype === 'bdist_wheel') {
    const wheel = WHEEL.exec(fileName);
    if (!wheel?.groups) throw errors.badRequest(`${fileName} is not a valid wheel file name (PEP 427)`);
    if (normalizePypiName(wheel.groups.dist) !== normalizedName || pep440.valid(wheel.groups.version) === null || !sameVersion(wheel.groups.version, version)) {
      throw mismatch();
    }
    return;
  }
  const extension = SDIST_EXTENSIONS.find((ext) => fileName.toLowerCase().endsWith(ext));
  if (!extension) throw errors.badRequest(`${fileName} is not an sdist archive (${SDIST_EXTENSIONS.join(', ')})`);
  const stem = fileName.slice(0, -extension.length);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    const candidateVersion = stem.slice(i + 1);
    if (normalizePypiName(stem.slice(0, i)) === normalizedName && pep440.valid(candidateVersion) !== null && sameVersion(candidateVersion, version)) {
      return;
    }
  }
  throw mismatch();
}
