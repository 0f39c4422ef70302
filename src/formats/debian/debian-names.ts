import { errors } from '../../core/errors.js';

// Debian's rules for what ends up in the archive's paths and indexes. The router has decoded the
// URL (%2F and %2E%2E arrive as "/" and ".."), so the character classes below are what keeps
// separators, NUL, control characters and traversal out of pool paths and index lines.

const MAX_LENGTH = 255;
// Debian policy 5.6.1: lowercase letters, digits, "+", "-", ".", at least two characters, starting alphanumeric.
const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
// Debian policy 5.6.12: [epoch:]upstream_version[-debian_revision]; the upstream part starts with a
// digit; a hyphen only where a revision follows (the last hyphen starts it), a colon only after the epoch.
const VERSION = /^(?:(\d{1,9}):)?([0-9][A-Za-z0-9.+~-]*)$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;
// dpkg-architecture names: "all", "amd64", "arm64", "musl-linux-amd64", ...
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;
// GitLab's distribution (codename or suite) and component rules.
const DISTRIBUTION = /^[a-z0-9][a-z0-9.-]*$/i;
const COMPONENT = /^[a-z-]+$/;
// The file as dpkg-deb and dpkg-name name it (<name>_<version>_<arch>.deb, the epoch dropped or as %3a), or any
// plain name: letters, digits and "._+~-", never "..", ending in .deb.
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*\.deb$/;
// The other files of an upload (dpkg-source, dpkg-genbuildinfo): the source control file, its
// tarballs (with an upstream signature beside the orig tarball), a 1.0 format's diff, the build record.
const SOURCE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*\.(?:dsc|buildinfo|diff\.gz|tar\.(?:gz|xz|bz2|lzma)(?:\.asc)?)$/;

function invalid(what: string, value: string): never {
  throw errors.badRequest(`${what} ${JSON.stringify(value.slice(0, 100))} is invalid`);
}

export function assertDebianName(name: string): string {
  if (name.length > MAX_LENGTH || !NAME.test(name)) invalid('Package name', name);
  return name;
}

export function assertDebianVersion(version: string): string {
  const match = version.length <= MAX_LENGTH ? VERSION.exec(version) : null;
  if (!match) invalid('Version', version);
  const upstream = match[2];
  const hyphen = upstream.lastIndexOf('-');
  if (hyphen >= 0 && !REVISION.test(upstream.slice(hyphen + 1))) invalid('Version', version);
  return version;
}

export function assertArchitecture(architecture: string): string {
  if (architecture.length > MAX_LENGTH || !ARCHITECTURE.test(architecture)) invalid('Architecture', architecture);
  return architecture;
}

export function assertDistributionName(name: string): string {
  if (name.length > MAX_LENGTH || !DISTRIBUTION.test(name) || name.includes('..')) invalid('Distribution', name);
  return name;
}

export function assertComponent(component: string): string {
  if (component.length > MAX_LENGTH || !COMPONENT.test(component)) invalid('Component', component);
  return component;
}

export function assertDebianFileName(fileName: string): string {
  if (fileName.length > MAX_LENGTH || fileName.includes('..') || !FILE_NAME.test(fileName)) {
    throw errors.badRequest(`File name ${JSON.stringify(fileName.slice(0, 100))} is invalid: only .deb files named with letters, digits and "._+~-" can be uploaded`);
  }
  return fileName;
}

/** Any file an upload may hold: a .deb, or a source package's or build's file (.dsc, its tarballs, .buildinfo). */
export function assertUploadFileName(fileName: string): string {
  if (fileName.length > MAX_LENGTH || fileName.includes('..') || !(FILE_NAME.test(fileName) || SOURCE_FILE_NAME.test(fileName))) {
    throw errors.badRequest(`File name ${JSON.stringify(fileName.slice(0, 100))} is invalid: only .deb, .dsc, .buildinfo and source tarball names of letters, digits and "._+~-" can be uploaded`);
  }
  return fileName;
}

/** The pool folder letter: "libf" for libfoo, else the first letter (Debian's archive layout, as GitLab's). */
export function poolLetter(name: string): string {
  return name.startsWith('lib') && name.length > 3 ? name.slice(0, 4) : name.slice(0, 1);
}
