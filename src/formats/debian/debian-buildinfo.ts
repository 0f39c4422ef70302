import { required, stripClearSignature } from './debian-changes.js';
import { parseControl } from './debian-control.js';

// A build record (deb-buildinfo(5)), as dpkg-genbuildinfo writes it: which source version was
// built, where and with what. Trove keeps it as a file of the source package's version (as GitLab
// does) and serves it from the pool; it reads only enough of it to refuse one of another package.

export interface Buildinfo {
  source: string;
  version: string;
}

/** Parses a .buildinfo (clear-signed or not): its Source (without a "(version)" suffix) and Version. */
export function parseBuildinfo(text: string): Buildinfo {
  const fields = parseControl(stripClearSignature(text));
  required(fields, 'Format', '.buildinfo');
  return { source: required(fields, 'Source', '.buildinfo').split(/\s+/)[0], version: required(fields, 'Version', '.buildinfo') };
}
