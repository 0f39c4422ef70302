import type { PackageFileRow, PackageRow } from '../../core/packages/packages.js';
import type { ComposerJson } from './composer-zip.js';

// The documents Composer 2 reads from a composer repository: packages.json (where to find each
// package's metadata) and p2/<vendor>/<name>.json (every version with its dist zip).

/** The parts of composer.json that Composer reads from a repository's version entries (the rest stays in the zip). */
const KEPT_FIELDS = [
  'description', 'type', 'license', 'keywords', 'homepage', 'authors', 'support', 'funding',
  'require', 'require-dev', 'conflict', 'replace', 'provide', 'suggest',
  'autoload', 'autoload-dev', 'include-path', 'target-dir', 'bin', 'extra', 'archive', 'abandoned', 'non-feature-branches',
];

/** What a version keeps of its upload: stored as the package's metadata. */
export interface ComposerVersionMetadata {
  version_normalized: string;
  composer_json: ComposerJson;
}

export function versionMetadata(composerJson: ComposerJson, versionNormalized: string): ComposerVersionMetadata {
  const kept: ComposerJson = {};
  for (const field of KEPT_FIELDS) if (composerJson[field] !== undefined) kept[field] = composerJson[field];
  return { version_normalized: versionNormalized, composer_json: kept };
}

export function parseVersionMetadata(pkg: Pick<PackageRow, 'metadata'>): ComposerVersionMetadata {
  return JSON.parse(pkg.metadata) as ComposerVersionMetadata;
}

/** packages.json of a group: Composer 2 asks metadata-url for each package it needs, and only for those listed. */
export function rootDocument(groupUrl: string, names: string[]) {
  return {
    packages: [],
    'metadata-url': `${groupUrl}/p2/%package%.json`,
    'available-packages': names,
  };
}

export interface VersionEntry {
  pkg: PackageRow;
  file: PackageFileRow;
  distUrl: string;
}

/** p2/<vendor>/<name>.json: each version as Composer needs it to resolve, download (checking shasum) and autoload. */
export function packageDocument(name: string, entries: VersionEntry[]) {
  return {
    packages: {
      [name]: entries.map(({ pkg, file, distUrl }) => {
        const { version_normalized, composer_json } = parseVersionMetadata(pkg);
        return {
          ...composer_json,
          name,
          version: pkg.version,
          version_normalized,
          dist: { type: 'zip', url: distUrl, reference: file.sha256, shasum: file.sha1 },
          time: pkg.created_at,
        };
      }),
    },
  };
}
