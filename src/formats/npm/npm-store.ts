import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion, listPackageVersions, tagsOf, type PackageFileRow } from '../../core/packages/packages.js';
import { provenanceOfFiles } from '../../core/packages/provenance.js';
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
  const provenanceOf = new Map<number, string>();
  const bundles = await provenanceOfFiles(ctx.db, [...fileOf.values()].map((f) => f.id), 'sigstore_bundle');
  for (const [packageId, file] of fileOf) {
    const first = bundles.get(file.id)?.[0];
    if (first) provenanceOf.set(packageId, first.predicate_type);
  }
  const tags = await tagsOf(ctx.db, project.id, 'npm', name);
  return { name, versions, fileOf, tags, registryUrl: projectRegistryUrl(ctx, project.id), provenanceOf };
}

/**
 * `GET /-/npm/v1/attestations/<name>@<version>` as the npm registry answers it: the Sigstore
 * bundles published with the version, each with its statement's predicate type. Only visible
 * versions: a deleted version's provenance is gone with it (and back with a restore).
 */
export async function npmAttestations(ctx: AppContext, project: Project, name: string, version: string) {
  const pkg = await findPackageVersion(ctx.db, project.id, 'npm', name, version);
  const files = pkg?.status === 'default' ? await filesOf(ctx.db, [pkg.id]) : [];
  const bundles = await provenanceOfFiles(ctx.db, files.map((f) => f.id), 'sigstore_bundle');
  const rows = files.flatMap((file) => bundles.get(file.id) ?? []);
  if (rows.length === 0) throw errors.notFound(`No attestations for ${name}@${version}`);
  return { attestations: rows.map((row) => ({ predicateType: row.predicate_type, bundle: JSON.parse(row.document) as unknown })) };
}
