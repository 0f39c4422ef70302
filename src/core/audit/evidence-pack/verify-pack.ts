// Verifies an unzipped evidence pack (pack-layout.ts): the one implementation behind both
// `trove audit verify --pack <folder>` and the pack's own verify.mjs (this module bundled, see
// scripts/build.sh). In order: every file against MANIFEST.sha256 (and no file outside it); the
// keys (the auditor's own pin when given, else the pack's keys/, extended by the rotation
// statements a trusted key signed); the signed checkpoints and the consistency proofs from each
// to the latest; then every record of events.jsonl (its leaf hash, RFC 8785; its inclusion proof
// against the signed checkpoint; seq only growing, as a filtered export's must), read once for
// both its manifest hash and its records. The verdict names the first bad file, and the seq.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { extendTrust, type TrustChain } from '../seal/key-rotation.js';
import type { NoteVerifierKey } from '../seal/signed-note.js';
import { checkJsonlFile } from '../verify/check-workers.js';
import { parseCheckpointsText, parseTrustedKeys } from '../verify/verify-files.js';
import { verifyAuditLog, type ConsistencyInput, type VerifySummary } from '../verify/verify-log.js';
import { PACK_FILES, type ConsistencyProofJson } from './pack-layout.js';
import { checkManifest, mismatch } from './pack-manifest.js';

export interface PackVerifyOptions {
  /** The auditor's own pinned keys (instead of the pack's keys/), and where they came from. */
  pinned?: { keys: NoteVerifierKey[]; sources: string[] };
  /** Worker threads for the records (default: one per core for a large pack). */
  threads?: number;
}

export type PackVerdict =
  | { ok: true; summary: VerifySummary; files: number; trust: TrustChain & { pinnedFrom: string[]; fromPack: boolean } }
  | { ok: false; file: string; seq: number | null; reason: string };

/** A file of the pack that could not be read as what it should be. */
class BadFile extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The text of a file of the pack (keys, checkpoints, proofs: small). */
function readPackText(folder: string, name: string): string {
  try {
    return readFileSync(join(folder, name), 'utf8');
  } catch {
    throw new BadFile(name, `${name} is missing`);
  }
}

function parsed<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new BadFile(name, `${name}: ${(error as Error).message}`);
  }
}

function consistencyInputs(text: string): ConsistencyInput[] {
  const proofs = JSON.parse(text) as ConsistencyProofJson[];
  if (!Array.isArray(proofs)) throw new Error('expected an array of {first, second, hashes}');
  return proofs.map((proof, i) => ({ first: proof.first, second: proof.second, hashes: proof.hashes, source: `${PACK_FILES.consistency}[${i}]` }));
}

export async function verifyEvidencePack(folder: string, options: PackVerifyOptions = {}): Promise<PackVerdict> {
  try {
    return await verifyPack(folder, options);
  } catch (error) {
    if (error instanceof BadFile) return { ok: false, file: error.file, seq: null, reason: error.message };
    throw error;
  }
}

async function verifyPack(folder: string, options: PackVerifyOptions): Promise<PackVerdict> {
  const manifest = await checkManifest(folder, [PACK_FILES.events]);
  if (manifest.problem) return { ok: false, file: manifest.problem.file, seq: null, reason: manifest.problem.reason };

  const fromPack = !options.pinned;
  const pinned = options.pinned ?? {
    keys: parsed(PACK_FILES.trustedKeys, () => parseTrustedKeys(readPackText(folder, PACK_FILES.trustedKeys), PACK_FILES.trustedKeys)),
    sources: [PACK_FILES.trustedKeys],
  };
  const rotations = parsed(PACK_FILES.keyRotations, () => parseCheckpointsText(readPackText(folder, PACK_FILES.keyRotations), PACK_FILES.keyRotations));
  const trust = { ...extendTrust(pinned.keys, rotations), pinnedFrom: pinned.sources, fromPack };
  if (trust.keys.length === 0) return { ok: false, file: PACK_FILES.trustedKeys, seq: null, reason: `${PACK_FILES.trustedKeys} holds no verifier key` };
  const checkpoints = parseCheckpointsText(readPackText(folder, PACK_FILES.checkpoints), PACK_FILES.checkpoints);
  const consistency = parsed(PACK_FILES.consistency, () => consistencyInputs(readPackText(folder, PACK_FILES.consistency)));

  const eventsPath = join(folder, PACK_FILES.events);
  const hash = createHash('sha256');
  const source = checkJsonlFile(eventsPath, { size: (await stat(eventsPath)).size, threads: options.threads, onBytes: (bytes) => hash.update(bytes) });
  const result = await verifyAuditLog(source, { mode: 'filtered', checkpoints, trustedKeys: trust.keys, consistency });
  if (!result.ok) {
    // A checkpoint or consistency problem is attributed to a seq too; the file it comes from says which.
    const file = /consistency proof|not consistent/.test(result.reason) ? PACK_FILES.consistency : /checkpoint/.test(result.reason) && !/inclusion proof/.test(result.reason) ? PACK_FILES.checkpoints : PACK_FILES.events;
    return { ok: false, file, seq: result.seq, reason: result.reason };
  }
  // Every byte of events.jsonl went through the hash (the records were read to their end).
  const actual = hash.digest('hex');
  const listed = manifest.expected.get(PACK_FILES.events)!;
  if (actual !== listed) return { ok: false, file: PACK_FILES.events, seq: null, reason: mismatch(PACK_FILES.events, actual, listed) };
  return { ok: true, summary: result.summary, files: manifest.expected.size, trust };
}
