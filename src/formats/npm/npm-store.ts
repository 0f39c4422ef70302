import type { Project } from '../../core/accounts/projects.js';
import { filesOf, listPackageVersions, tagsOf, type PackageFileRow } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import type { NpmPackageVersions } from './npm-metadata.js';

export function projectRegistryUrl(ctx: AppContext, projectId: number): string {
  return `${ctx.config.baseUrl}/api/v4/projects/${projectId}/packages/npm`;
}

/** The stored versions of one npm package in one project, as the metadata builders need them. */
export async function loadNpmPackage(ctx: AppContext, project: Project, name: string, includeHidden = false): Promise<NpmPackageVersions> {
  // Deleted versions (pending_destruction) are gone for npm, writes included: an unpublish of a
  // remaining version must not see them as "removed" again.
  let versions = (await listPackageVersions(ctx.db, project.id, 'npm', name)).filter((v) => v.status !== 'pending_destruction');
  if (!includeHidden) versions = versions.filter((v) => v.status === 'default');
  const files = await filesOf(ctx.db, versions.map((v) => v.id));
  const fileOf = new Map<number, PackageFileRow>();
  for (const file of files) if (!fileOf.has(file.package_id)) fileOf.set(file.package_id, file);
  return { name, versions, fileOf, tags: await tagsOf(ctx.db, project.id, 'npm', name), registryUrl: projectRegistryUrl(ctx, project.id) };
}
