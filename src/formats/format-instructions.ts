import { filesOf, type PackageRow } from '../core/packages/packages.js';
import type { Db } from '../storage/db/database.js';
import type { PackageFormat } from './format.js';
import type { FormatPublishInstructions, FormatSettingSummary, FormatSummary, PackageInstallInstructions } from '../contracts/package-formats.js';
import { FORMATS, formatNamed } from './index.js';

// What the API serves about the formats (GET /package_formats, the instructions endpoints), so the
// web UI shows any format's name and steps without knowing it.

export const formatSummary = (format: PackageFormat): FormatSummary => ({
  name: format.name,
  display_name: format.displayName,
  settings: format.settings.map((setting): FormatSettingSummary =>
    setting.kind === 'regex'
      ? { key: setting.key, description: setting.description, kind: 'regex', default: setting.default }
      : { key: setting.key, description: setting.description, kind: 'boolean', default: setting.default },
  ),
});

/** Every format with the steps that publish into this project. */
export function publishInstructions(baseUrl: string, projectId: number): FormatPublishInstructions[] {
  return FORMATS.map((format) => ({ name: format.name, display_name: format.displayName, publish: format.instructions.publish({ baseUrl, projectId }) }));
}

/** The steps that install this version; none for a format Trove no longer serves. */
export async function installInstructions(db: Db, baseUrl: string, pkg: PackageRow): Promise<PackageInstallInstructions> {
  const format = formatNamed(pkg.format);
  if (!format) return { package_type: pkg.format, display_name: pkg.format, install: [] };
  const fileNames = (await filesOf(db, [pkg.id])).map((file) => file.file_name);
  const install = format.instructions.install({ baseUrl, projectId: pkg.project_id, name: pkg.name, version: pkg.version, fileNames });
  return { package_type: pkg.format, display_name: format.displayName, install };
}
