import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { NpmWriteAcknowledged } from '../../contracts/package-clients.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { findPackageVersion } from '../../core/packages/packages.js';
import { checkSigstoreBundle, npmPurl, type ProvenanceDocument } from '../../core/packages/provenance.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { assertDistTag, assertNpmName, assertNpmVersion, tarballFileName } from './npm-names.js';
import { isJsonObject, type Json } from './npm-json.js';
import { truncatedReadme } from './npm-metadata.js';
import { assertIntegrity, readTarballManifest } from './npm-tarball.js';

function asObject(value: unknown, what: string): Json {
  if (!isJsonObject(value)) throw errors.badRequest(`${what} must be an object`);
  return value;
}

// Fields npm adds to the manifest that describe the publishing machine, not the package.
const LOCAL_FIELDS = ['_attachments', '_nodeVersion', '_npmVersion', '_npmUser', '_resolved', '_from', '_integrity', '_shasum'];

/**
 * A version document (the version's package.json as published, readme included) is bounded
 * (TROVE_MAX_MANIFEST_BYTES), so that a 50 MB readme is refused instead of being parsed by every
 * reader of the package.
 */
function assertManifestSize(ctx: AppContext, manifest: Json): void {
  const max = ctx.config.maxManifestBytes;
  // A string has at least as many UTF-8 bytes as UTF-16 units: a readme that long is refused
  // without serialising the document a second time.
  if (typeof manifest.readme === 'string' && manifest.readme.length > max) {
    throw errors.payloadTooLarge(`The version document's readme alone is ${Buffer.byteLength(manifest.readme)} bytes, over the limit of ${max} bytes`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(manifest));
  if (bytes > max) throw errors.payloadTooLarge(`The version document is ${bytes} bytes (readme included), over the limit of ${max} bytes`);
}

/** The attachment `npm publish --provenance` adds beside the tarball (libnpmpublish). */
function provenanceBundleName(name: string, version: string): string {
  return `${name}-${version}.sigstore`;
}

/**
 * The Sigstore bundle of `npm publish --provenance`: JSON text (not base64) in `data`, its media
 * type in `content_type`. Its statement must be about this tarball (purl and sha512), as the npm
 * registry requires.
 */
function provenanceBundle(attachment: Json, name: string, version: string, tarball: Buffer): ProvenanceDocument {
  if (typeof attachment.data !== 'string') throw errors.badRequest('The provenance bundle attachment must carry the bundle as JSON text');
  const digest = (algorithm: string) => createHash(algorithm).update(tarball).digest('hex');
  return checkSigstoreBundle(attachment.data, { name: npmPurl(name, version), sha256: digest('sha256'), sha512: digest('sha512') });
}

/**
 * `npm publish`: one new version with its tarball (base64 in `_attachments`). Everything is
 * checked before anything is stored: names, the tarball's integrity, that the tarball's own
 * package.json names the same package and version (manifest confusion), and safe tar entries.
 */
export async function publishNpmVersion(ctx: AppContext, request: FastifyRequest, project: Project, urlName: string, body: Json): Promise<NpmWriteAcknowledged> {
  const name = assertNpmName(body.name ?? urlName);
  noteAttempt(request, { format: 'npm', name, version: null });
  if (name !== urlName) throw errors.badRequest(`Package name in the body (${name}) does not match the URL (${urlName})`);

  const versions = asObject(body.versions, 'versions');
  const versionKeys = Object.keys(versions);
  if (versionKeys.length !== 1) throw errors.badRequest('A publish must contain exactly one version');
  const version = assertNpmVersion(versionKeys[0]);
  noteAttempt(request, { format: 'npm', name, version });
  const manifest = asObject(versions[version], `versions["${version}"]`);
  if (manifest.name !== name || manifest.version !== version) {
    throw errors.badRequest('The version manifest name and version must match the package being published');
  }
  assertManifestSize(ctx, manifest);

  const attachments = asObject(body._attachments, '_attachments');
  const bundleKey = provenanceBundleName(name, version);
  const attachmentKeys = Object.keys(attachments).filter((key) => key !== bundleKey);
  if (attachmentKeys.length !== 1) throw errors.badRequest('A publish must contain exactly one tarball attachment');
  if (attachmentKeys[0].endsWith('.sigstore')) throw errors.badRequest(`A provenance bundle must be attached as ${bundleKey}`);
  const attachment = asObject(attachments[attachmentKeys[0]], 'attachment');
  if (typeof attachment.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(attachment.data)) {
    throw errors.badRequest('Attachment data must be base64');
  }
  const tarball = Buffer.from(attachment.data, 'base64');
  if (tarball.length === 0) throw errors.badRequest('Attachment is empty');
  if (tarball.length > ctx.config.maxUploadBytes) throw errors.payloadTooLarge();
  if (attachment.length !== undefined && Number(attachment.length) !== tarball.length) {
    throw errors.badRequest(`Attachment length ${String(attachment.length)} does not match its data (${tarball.length} bytes)`);
  }
  assertIntegrity(tarball, asObject(manifest.dist ?? {}, 'dist'));
  const provenance = attachments[bundleKey] === undefined ? [] : [provenanceBundle(asObject(attachments[bundleKey], bundleKey), name, version, tarball)];
  const packed = await readTarballManifest(tarball, ctx.config.maxUnpackedBytes);
  if (packed.name !== name || packed.version !== version) {
    throw errors.badRequest(
      `The tarball's package.json (${String(packed.name)}@${String(packed.version)}) does not match the manifest (${name}@${version})`,
    );
  }

  const tags = asObject(body['dist-tags'] ?? { latest: version }, 'dist-tags');
  for (const [tag, target] of Object.entries(tags)) {
    assertDistTag(tag);
    if (target !== version) throw errors.badRequest(`dist-tag "${tag}" must point at the published version ${version}`);
  }

  if (await findPackageVersion(ctx.db, project.id, 'npm', name, version)) {
    throw errors.forbidden(`You cannot publish over the previously published versions: ${version}.`);
  }

  const metadata: Json = { ...manifest };
  for (const field of LOCAL_FIELDS) delete metadata[field];
  if (typeof metadata.deprecated === 'string' && metadata.deprecated === '') delete metadata.deprecated;
  // Stored as served (npm-metadata.ts), so that building a packument never parses long readmes.
  if (typeof metadata.readme === 'string') metadata.readme = truncatedReadme(metadata.readme);
  const blob = await ctx.blobs.put(tarball);
  await ctx.packages.write(
    auditContextOf(request),
    project,
    async (writer) => {
      const pkg = await writer.createVersion({
        format: 'npm',
        name,
        normalizedName: name,
        version,
        metadata,
        files: [{ fileName: tarballFileName(name, version), blob, provenance }],
      });
      for (const tag of Object.keys(tags)) await writer.setTag(pkg, tag);
    },
  );
  return { ok: true, success: true, id: name, version };
}
