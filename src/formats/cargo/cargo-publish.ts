import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { listPackageVersions } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { assertDeclaredSize, receiveRawUpload, type RawUploadBody } from '../format-upload.js';
import { registryProject } from '../registry-project.js';
import { assertCrateArchive } from './cargo-crate.js';
import { publishedCrate, type PublishedCrate } from './cargo-metadata.js';
import { crateFileName, normalizeCrateName, withoutBuildMetadata } from './cargo-names.js';

export const PUBLISH_PARAMS = formatParams('id');
type PublishRequest = FormatRequest<typeof PUBLISH_PARAMS> & { body: RawUploadBody };

/** The JSON part of a publish: descriptive fields and the readme are in it, which crates.io caps at a few MB too. */
const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/** The body of a publish read in its frames: exact byte counts, then the rest as a stream. */
class FramedBody {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(private readonly body: Readable) {
    this.chunks = body.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async take(bytes: number, what: string): Promise<Buffer> {
    while (this.bufferedBytes < bytes) {
      const next = await this.chunks.next().catch(() => {
        throw errors.badRequest('Upload incomplete: the connection closed before the publish body arrived');
      });
      if (next.done) throw errors.badRequest(`The publish body ends inside ${what}`);
      this.buffered.push(next.value);
      this.bufferedBytes += next.value.length;
    }
    const all = Buffer.concat(this.buffered);
    this.buffered = all.length > bytes ? [all.subarray(bytes)] : [];
    this.bufferedBytes = all.length - bytes;
    return all.subarray(0, bytes);
  }

  /**
   * Drains what is left unread, for a refusal before the crate was read, so the client gets the
   * answer rather than a reset. The iterator lets go of the stream first: while it listens, resume() does nothing.
   */
  async drain(): Promise<void> {
    await this.chunks.return?.();
    this.body.resume();
  }

  async *rest(): AsyncGenerator<Buffer> {
    yield* this.buffered;
    this.buffered = [];
    for (;;) {
      const next = await this.chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
}

/** The metadata frame: its length, then the JSON. */
async function readMetadata(framed: FramedBody, onIdentity: (name: string | null, version: string | null) => void): Promise<PublishedCrate> {
  const length = (await framed.take(4, 'the metadata length')).readUInt32LE(0);
  if (length > MAX_METADATA_BYTES) throw errors.payloadTooLarge(`The publish metadata is larger than the limit of ${MAX_METADATA_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse((await framed.take(length, 'the metadata')).toString('utf8'));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw errors.badRequest('Invalid publish metadata: not JSON');
  }
  return publishedCrate(json, onIdentity);
}

/** crates.io's refusals of a version that is taken, before the write's own (a concurrent publish, a deleted version). */
async function assertVersionFree(ctx: AppContext, projectId: number, crate: PublishedCrate): Promise<void> {
  const versions = await listPackageVersions(ctx.db, projectId, 'cargo', normalizeCrateName(crate.name));
  const spelled = versions.find((v) => v.name !== crate.name);
  if (spelled) throw errors.conflict(`crate ${crate.name} is already published as ${spelled.name}: crate names are unique regardless of case and of "-" against "_"`);
  const same = versions.find((v) => v.version !== crate.version && withoutBuildMetadata(v.version) === withoutBuildMetadata(crate.version));
  if (same) throw errors.conflict(`crate version ${crate.version} is already uploaded as ${same.version}: versions that differ only in build metadata are one version`);
  if (versions.some((v) => v.version === crate.version && v.status !== 'pending_destruction')) {
    throw errors.conflict(`crate version \`${crate.version}\` is already uploaded`);
  }
}

/**
 * `cargo publish`: PUT .../api/v1/crates/new with the body u32le length + JSON metadata + u32le
 * length + .crate, and the token bare in Authorization. The crate streams into the blob store under
 * TROVE_CARGO_MAX_UPLOAD_BYTES, is read back to check it is the crate the metadata names, and is
 * published with its index fields in one audited write. Versions are immutable: a second publish
 * of one is refused (409), yanking is how a bad release is withdrawn.
 */
export async function publishCrate(ctx: AppContext, request: PublishRequest, reply: FastifyReply) {
  noteAttempt(request, { format: 'cargo', name: null, version: null });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const maxBytes = ctx.config.cargoMaxUploadBytes;
  assertDeclaredSize(request, maxBytes + MAX_METADATA_BYTES + 8);
  if (request.body === undefined) throw errors.badRequest('The request has no body: cargo publish sends the metadata and the .crate');
  const framed = new FramedBody(request.body);
  let crate: PublishedCrate;
  let crateLength: number;
  try {
    crate = await readMetadata(framed, (name, version) => noteAttempt(request, { format: 'cargo', name, version }));
    crateLength = (await framed.take(4, 'the crate length')).readUInt32LE(0);
    if (crateLength > maxBytes) throw errors.payloadTooLarge(`File is larger than the limit of ${maxBytes} bytes`);
  } catch (error) {
    await framed.drain();
    throw error;
  }
  const blob = await receiveRawUpload(ctx, request, request.body, maxBytes, framed.rest());
  if (blob.size !== crateLength) throw errors.badRequest(`The publish body holds ${blob.size} bytes of crate where its length says ${crateLength}`);
  await assertCrateArchive(await ctx.blobs.openForDownload(blob.sha256, blob.size), crate.name, crate.version);
  await assertVersionFree(ctx, project.id, crate);
  await ctx.packages.write(auditContextOf(request), project, (writer) =>
    writer.createVersion({
      format: 'cargo',
      name: crate.name,
      normalizedName: normalizeCrateName(crate.name),
      version: crate.version,
      metadata: crate.description,
      files: [{ fileName: crateFileName(crate.name, crate.version), blob, metadata: crate.index }],
    }),
  );
  return reply.status(200).send({ warnings: { invalid_categories: [], invalid_badges: [], other: [] } });
}
