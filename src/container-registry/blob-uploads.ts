import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { BlobStore, ContentBlob } from '../storage/blobs/blob-store.js';
import type { Db, Queryable } from '../storage/db/database.js';
import type { ContainerUploadsTable } from '../storage/db/schema.js';
import { nowIso } from '../core/clock.js';
import { settleUpload } from '../core/packages/pending-uploads.js';
import { errors } from '../core/errors.js';
import { ociError } from './oci-errors.js';

// Blob uploads in progress (POST, PATCH..., PUT ?digest=). Each PATCH (or a PUT with a body) is
// stored as one part: a blob in the blob store, so parts live wherever blobs live (folder or S3)
// and any Trove process can continue the upload. The blob collector keeps every part of an upload
// in container_upload_parts and drops uploads untouched for its grace period (blob-gc.ts). At the
// end the parts are streamed, in order, into the blob the client names; an upload of one part
// (what skopeo sends: the whole blob in one PATCH) is already that blob and is not copied.

export type UploadRow = Selectable<ContainerUploadsTable>;

export async function startUpload(db: Db, projectId: number, repository: string): Promise<UploadRow> {
  const at = nowIso();
  return db
    .insertInto('container_uploads')
    .values({ uuid: randomUUID(), project_id: projectId, repository, received: 0, started_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The upload, if it is one of this repository's. */
export async function findUpload(db: Db, repository: string, uuid: string): Promise<UploadRow> {
  const upload = UUID.test(uuid) ? await db.selectFrom('container_uploads').selectAll().where('uuid', '=', uuid).where('repository', '=', repository).executeTakeFirst() : undefined;
  if (!upload) throw ociError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
  return upload;
}

/** `Content-Range: <start>-<end>` must continue where the upload stands. */
export function assertContinues(upload: UploadRow, contentRange: string | undefined): void {
  if (contentRange === undefined) return;
  const match = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(contentRange.trim());
  if (!match || Number(match[1]) !== Number(upload.received) || Number(match[2]) < Number(match[1])) {
    throw ociError('RANGE_INVALID', `Content-Range ${contentRange.slice(0, 80)} does not continue the upload at ${upload.received}`);
  }
}

/** The bytes of `data`, or null when it has none: nothing to store. */
async function nonEmpty(data: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array> | null> {
  const chunks = data[Symbol.asyncIterator]();
  let first = await chunks.next();
  while (!first.done && first.value.length === 0) first = await chunks.next();
  if (first.done) return null;
  const head = first.value;
  return (async function* () {
    yield head;
    yield* { [Symbol.asyncIterator]: () => chunks };
  })();
}

/**
 * Stores `data` as the upload's next part; returns the upload with its new size. `maxBytes` bounds
 * the whole blob. A request without bytes (the PUT that closes skopeo's uploads) stores no part:
 * no empty file written, synced and registered on the way to the blob.
 */
export async function appendPart(db: Db, blobs: BlobStore, upload: UploadRow, data: AsyncIterable<Uint8Array>, maxBytes: number): Promise<UploadRow> {
  const room = maxBytes - Number(upload.received);
  if (room <= 0) throw errors.payloadTooLarge(`Blob is larger than the limit of ${maxBytes} bytes`);
  const bytes = await nonEmpty(data);
  if (bytes === null) return upload;
  const part = await blobs.put(bytes, { maxBytes: room, digests: 'sha256' });
  return db.transaction().execute(async (tx) => {
    const parts = await tx.selectFrom('container_upload_parts').select((eb) => eb.fn.countAll<number>().as('count')).where('upload_uuid', '=', upload.uuid).executeTakeFirstOrThrow();
    await tx.insertInto('container_upload_parts').values({ upload_uuid: upload.uuid, position: Number(parts.count), blob_sha256: part.sha256, size: part.size }).execute();
    // From here the part row keeps the bytes (blob-gc.ts), not the upload registration.
    await settleUpload(tx, part);
    const updated = await tx
      .updateTable('container_uploads')
      .set({ received: Number(upload.received) + part.size, updated_at: nowIso() })
      .where('uuid', '=', upload.uuid)
      .where('received', '=', upload.received)
      .returningAll()
      .executeTakeFirst();
    // Two PATCHes raced (or the upload was cancelled): the client starts over.
    if (!updated) throw ociError('BLOB_UPLOAD_INVALID', 'the upload changed while this chunk was stored');
    return updated;
  });
}

/**
 * The blob the completed upload holds, verified against `digest` (hex sha256): DIGEST_INVALID
 * and nothing linked when the bytes differ. The caller links it and ends the upload.
 */
export async function assembleUpload(db: Db, blobs: BlobStore, upload: UploadRow, sha256: string, maxBytes: number): Promise<ContentBlob> {
  const parts = await db.selectFrom('container_upload_parts').selectAll().where('upload_uuid', '=', upload.uuid).orderBy('position').execute();
  const mismatch = () => ociError('DIGEST_INVALID', 'provided digest did not match uploaded content');
  if (parts.length === 1) {
    if (parts[0]!.blob_sha256 !== sha256) throw mismatch();
    return { sha256, size: Number(parts[0]!.size) };
  }
  async function* concatenated(): AsyncIterable<Uint8Array> {
    for (const part of parts) yield* (await blobs.open(part.blob_sha256)) as AsyncIterable<Uint8Array>;
  }
  const whole: ContentBlob = await blobs.put(parts.length === 0 ? Buffer.alloc(0) : concatenated(), {
    maxBytes,
    digests: 'sha256',
    beforePlace: async (stored) => {
      if (stored.sha256 !== sha256) throw mismatch();
    },
  });
  if (whole.sha256 !== sha256) throw mismatch();
  return whole;
}

export async function endUpload(db: Queryable, uuid: string): Promise<void> {
  await db.deleteFrom('container_upload_parts').where('upload_uuid', '=', uuid).execute();
  await db.deleteFrom('container_uploads').where('uuid', '=', uuid).execute();
}
