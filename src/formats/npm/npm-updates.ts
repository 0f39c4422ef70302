import type { FastifyRequest } from 'fastify';
import semver from 'semver';
import type { NpmWriteAcknowledged } from '../../contracts/package-clients.js';
import type { Project } from '../../core/accounts/projects.js';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import type { PackageRow } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { isJsonObject, type Json } from './npm-json.js';
import { distTags } from './npm-metadata.js';
import { assertDistTag, assertNpmVersion } from './npm-names.js';
import { loadNpmPackage } from './npm-store.js';

async function existingPackage(ctx: AppContext, project: Project, name: string) {
  const view = await loadNpmPackage(ctx, project, name, true);
  if (view.versions.length === 0) throw errors.notFound(`Package ${name} not found`);
  return view;
}

function bodyVersions(body: Json): Json {
  const versions = body.versions;
  if (!isJsonObject(versions)) throw errors.badRequest('versions must be an object');
  return versions;
}

/** `npm deprecate` (PUT of the whole packument): each version whose `deprecated` changed. "" un-deprecates. */
export async function applyDeprecations(ctx: AppContext, request: FastifyRequest, project: Project, name: string, body: Json): Promise<NpmWriteAcknowledged> {
  const view = await existingPackage(ctx, project, name);
  const incoming = bodyVersions(body);
  const unknown = Object.keys(incoming).filter((version) => !view.versions.some((v) => v.version === version));
  // A version we do not have, without a tarball, is a publish missing its attachment: never a silent success.
  if (unknown.length > 0) {
    noteAttempt(request, { format: 'npm', name, version: unknown.join(',') });
    throw errors.badRequest(`Version ${unknown.join(', ')} has no tarball attachment: nothing was published`);
  }
  const changes: Array<{ pkg: PackageRow; message: string | null }> = [];
  for (const pkg of view.versions) {
    const doc = incoming[pkg.version];
    if (!doc) continue;
    const deprecated = isJsonObject(doc) ? doc.deprecated : undefined;
    const message = typeof deprecated === 'string' && deprecated !== '' ? deprecated : null;
    const current = (JSON.parse(pkg.metadata) as Json).deprecated;
    if ((typeof current === 'string' && current !== '' ? current : null) !== message) changes.push({ pkg, message });
  }
  noteAttempt(request, { format: 'npm', name, version: changes.map((c) => c.pkg.version).join(',') || null });
  // The message becomes part of the version document, which stays within its bound (npm-publish.ts).
  for (const { pkg, message } of changes) {
    if (message !== null && Buffer.byteLength(pkg.metadata) + Buffer.byteLength(message) > ctx.config.maxManifestBytes) {
      throw errors.payloadTooLarge(`The deprecation message would make ${name}@${pkg.version}'s version document larger than ${ctx.config.maxManifestBytes} bytes`);
    }
  }
  if (changes.length === 0) return { ok: true };
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    for (const change of changes) await writer.setDeprecation(change.pkg, change.message);
  });
  return { ok: true };
}

/**
 * `npm unpublish pkg@version` PUTs the packument without that version to /-rev/: versions missing
 * from the body are removed. Deprecations in the same body are applied too. If `latest` pointed at
 * a removed version, it moves to the version the client chose (the highest remaining one).
 */
export async function applyRevision(ctx: AppContext, request: FastifyRequest, project: Project, name: string, body: Json): Promise<NpmWriteAcknowledged> {
  const view = await existingPackage(ctx, project, name);
  const incoming = bodyVersions(body);
  const removed = view.versions.filter((v) => incoming[v.version] === undefined);
  noteAttempt(request, { format: 'npm', name, version: removed.map((v) => v.version).join(',') || null });
  if (removed.length > 0) await authorizeProject(ctx.db, request.principal, project, 'delete', 'registry');
  const tagsBefore = distTags(view);
  const requestedTags = body['dist-tags'];
  const requestedLatest = isJsonObject(requestedTags) ? requestedTags.latest : undefined;
  const remaining = view.versions.filter((v) => !removed.includes(v));
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    // Move `latest` first, so the log says "latest 1.6.0 -> 1.5.0" rather than a delete and a create.
    const latestRemoved = removed.some((v) => v.version === tagsBefore.latest);
    if (latestRemoved && remaining.length > 0) {
      const target =
        remaining.find((v) => v.version === requestedLatest) ??
        [...remaining].sort((a, b) => semver.compare(a.version, b.version)).pop()!;
      await writer.setTag(target, 'latest');
    }
    for (const pkg of removed) await writer.deleteVersion(pkg, 'npm package unpublished');
  });
  if (remaining.length > 0) return applyDeprecations(ctx, request, project, name, body);
  return { ok: true };
}

/** `npm unpublish pkg --force`: every version, one event each. */
export async function unpublishAll(ctx: AppContext, request: FastifyRequest, project: Project, name: string): Promise<NpmWriteAcknowledged> {
  noteAttempt(request, { format: 'npm', name, version: null });
  const view = await existingPackage(ctx, project, name);
  await authorizeProject(ctx.db, request.principal, project, 'delete', 'registry');
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    for (const pkg of view.versions) await writer.deleteVersion(pkg, 'npm package unpublished');
  });
  return { ok: true };
}

/** The last step of `npm unpublish pkg@version`: DELETE of the tarball. Already gone after the /-rev/ PUT is fine. */
export async function deleteTarball(ctx: AppContext, request: FastifyRequest, project: Project, name: string, fileName: string): Promise<NpmWriteAcknowledged> {
  noteAttempt(request, { format: 'npm', name, version: null });
  const view = await loadNpmPackage(ctx, project, name, true);
  const pkg = view.versions.find((v) => view.fileOf.get(v.id)?.file_name === fileName);
  if (!pkg) return { ok: true };
  noteAttempt(request, { format: 'npm', name, version: pkg.version });
  await authorizeProject(ctx.db, request.principal, project, 'delete', 'registry');
  await ctx.packages.write(auditContextOf(request), project, (writer) => writer.deleteVersion(pkg, 'npm package unpublished'));
  return { ok: true };
}

/** `npm dist-tag add pkg@version tag`: the body is the version as a JSON string. */
export async function setDistTag(ctx: AppContext, request: FastifyRequest, project: Project, name: string, tag: string, body: unknown): Promise<NpmWriteAcknowledged> {
  noteAttempt(request, { format: 'npm', name, version: typeof body === 'string' ? body : null });
  assertDistTag(tag);
  const version = assertNpmVersion(body);
  const view = await existingPackage(ctx, project, name);
  const pkg = view.versions.find((v) => v.version === version);
  if (!pkg) throw errors.notFound(`Version ${version} of ${name} not found`);
  await ctx.packages.write(auditContextOf(request), project, (writer) => writer.setTag(pkg, tag));
  return { ok: true };
}

/** `npm dist-tag rm pkg tag`. `latest` cannot be removed, as on npm's registry. */
export async function removeDistTag(ctx: AppContext, request: FastifyRequest, project: Project, name: string, tag: string): Promise<NpmWriteAcknowledged> {
  noteAttempt(request, { format: 'npm', name, version: null });
  if (tag === 'latest') throw errors.badRequest('The "latest" dist-tag cannot be removed');
  await existingPackage(ctx, project, name);
  await ctx.packages.write(auditContextOf(request), project, (writer) => writer.removeTag('npm', name, tag));
  return { ok: true };
}
