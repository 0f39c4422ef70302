import { openFaultInjector } from './fault-injection.js';
import { blobFiles } from './generic-curl.js';
import type { RunningTrove } from './trove-process.js';

// Where a Trove keeps package file bytes: the blob folder (aa/bb/<sha256>, streamed uploads and
// larger files) or the database (blob_contents: small files that arrived in memory, such as npm
// tarballs; src/storage/blobs/inline-blob-store.ts). Tests that check "nothing stored", "nothing
// left behind" or "released after delete" look at both.

/** The sha256 of every stored blob, in the folder (tmp/ excluded) or the database, sorted; one entry per place. */
export async function storedBlobs(trove: RunningTrove): Promise<string[]> {
  const db = await openFaultInjector(trove);
  try {
    const inFolder = blobFiles(trove.dataDir)
      .filter((path) => !path.startsWith('tmp/'))
      .map((path) => path.split('/').pop()!);
    return [...inFolder, ...(await db.inlineBlobs())].sort();
  } finally {
    await db.close();
  }
}

export async function blobStored(trove: RunningTrove, sha256: string): Promise<boolean> {
  return (await storedBlobs(trove)).includes(sha256);
}
