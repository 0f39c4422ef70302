import assert from 'node:assert/strict';
import { allPackages } from './all-packages.js';
import type { Api } from './api.js';
import { blobsCollected } from './background-jobs.js';
import { openFaultInjector } from './fault-injection.js';
import { blobFiles, tmpBlobFiles } from './generic-curl.js';
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

/** The sha256 of every file of every package of the projects (through the REST API), sorted, once each. */
export async function fileBlobs(root: Api, projectIds: number[]): Promise<string[]> {
  const out = new Set<string>();
  for (const projectId of projectIds) {
    for (const pkg of await allPackages(root, projectId)) {
      const files = await root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages/${pkg.id}/package_files?per_page=100`);
      for (const file of files) out.add(file.file_sha256);
    }
  }
  return [...out].sort();
}

/**
 * After the blob collector has run: the store holds exactly the blobs of the files that exist
 * (`projectIds`: every project of this Trove that has packages), and no temporary file. A refused
 * or failed upload may leave its bytes until then (the same bytes may be on their way into
 * another file), but never longer.
 */
export async function assertOnlyFileBlobsStored(trove: RunningTrove, root: Api, projectIds: number[]): Promise<void> {
  await blobsCollected(root);
  assert.deepEqual(await storedBlobs(trove), await fileBlobs(root, projectIds), 'stored blobs are exactly those of existing files');
  assert.deepEqual(tmpBlobFiles(trove.dataDir), [], 'temporary files left behind');
}

/**
 * The projects' package list as the packages API gives it, without the download counters: those
 * are written after a download's answer (batched with its event), so a download a moment before
 * moves them while nothing was stored. What "the store is unchanged" compares.
 */
export async function packageList(root: Api, projectId: number): Promise<string> {
  const packages = await root.expect(200, 'GET', `/api/v4/projects/${projectId}/packages?per_page=100`);
  return JSON.stringify(packages.map(({ downloads: _downloads, last_downloaded_at: _last, ...rest }: Record<string, unknown>) => rest));
}

/**
 * A project's packages and the blobs of their files as they are now: what a refused write must
 * leave untouched. Bytes a refused upload stored are the blob collector's to remove.
 */
export async function storeSnapshot(root: Api, projectId: number): Promise<{ packages: string; blobs: string[] }> {
  return { packages: await packageList(root, projectId), blobs: await fileBlobs(root, [projectId]) };
}
