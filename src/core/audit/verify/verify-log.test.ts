import assert from 'node:assert/strict';
import { PinnedProofs } from '../export/export-proofs.js';
import { ProofBuilder } from '../seal/proof-builder.js';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { leafHashOf } from '../seal/canonical-json.js';
import { signCheckpoint } from '../seal/checkpoint.js';
import { CompactRange } from '../seal/compact-range.js';
import { consistencyProof, hashFromHex, hashToHex, inclusionProof, rootOf } from '../seal/merkle.js';
import { createNoteSigner, formatVerifierKey, parseVerifierKey, type NoteSigner, type NoteVerifierKey } from '../seal/signed-note.js';
import { InvalidEvent, verifyAuditLog, type CheckpointInput, type ConsistencyInput, type VerifyEvent, type VerifyResult } from './verify-log.js';

// Synthetic logs built with the sealing library and throw-away keys.

const ORIGIN = 'trove.test/audit';

function keyPair(name: string): { signer: NoteSigner; trusted: NoteVerifierKey } {
  const signer = createNoteSigner(name, generateKeyPairSync('ed25519').privateKey);
  return { signer, trusted: parseVerifierKey(formatVerifierKey(name, signer.publicKey)) };
}

type Rec = Record<string, any>;

function stored(seq: number): Rec {
  return {
    id: seq,
    uuid: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    event_name: seq % 3 === 0 ? 'package_registry_package_published' : 'personal_access_token_created',
    outcome: 'success',
    reason: null,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    author_id: 1,
    entity_id: seq % 2 === 0 ? 7 : 8,
    entity_type: 'Group',
    details: { author_name: 'root', target_id: seq, ip_address: '10.0.0.1', entity_path: seq % 2 === 0 ? 'acme' : 'other' },
    actor: { type: 'user', user_id: 1, username: 'root', token_id: null },
    package: { name: `pkg-${seq}`, version: '1.0.0', files: [{ file_name: 'x.tgz', size: seq, sha256: 'ab'.repeat(32) }] },
  };
}

/** The API's form of a record: the stored record plus its leaf hash. */
function served(record: Rec): Rec {
  return { ...record, leaf_hash: leafHashOf(record) };
}

function makeLog(n: number): Rec[] {
  return Array.from({ length: n }, (_, i) => served(stored(i + 1)));
}

function leaves(log: Rec[]) {
  return log.map((r) => hashFromHex(leafHashOf(withoutExtras(r))));
}

function withoutExtras(record: Rec): Rec {
  const { leaf_hash: _l, inclusion_proof: _p, ...rest } = record;
  return rest;
}

function checkpointAt(log: Rec[], size: number, signer: NoteSigner | NoteSigner[], origin = ORIGIN): CheckpointInput {
  const root = rootOf(leaves(log.slice(0, size)));
  return { note: signCheckpoint({ origin, treeSize: size, rootHash: root, extensions: [] }, signer), source: `test checkpoint ${size}` };
}

const KEY = keyPair('trove-audit-test');

async function verify(events: VerifyEvent[], checkpoints: CheckpointInput[], options: { keys?: NoteVerifierKey[]; mode?: 'full' | 'filtered'; origin?: string; consistency?: ConsistencyInput[] } = {}) {
  return verifyAuditLog(events, { mode: options.mode ?? 'full', checkpoints, trustedKeys: options.keys ?? [KEY.trusted], origin: options.origin, consistency: options.consistency });
}

function assertFails(result: VerifyResult, seq: number | null, reason: RegExp): void {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  if (result.ok) return;
  assert.equal(result.seq, seq, `first bad seq (reason: ${result.reason})`);
  assert.match(result.reason, reason);
}

describe('verifyAuditLog: full log', () => {
  const log = makeLog(23);
  const checkpoints = [5, 10, 15, 20].map((size) => checkpointAt(log, size, KEY.signer));

  it('passes an untouched log and summarises it', async () => {
    const result = await verify(log, checkpoints);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.summary, {
      mode: 'full',
      events: 23,
      firstSeq: 1,
      lastSeq: 23,
      origin: ORIGIN,
      checkpoints: 4,
      smallestTreeSize: 5,
      latestTreeSize: 20,
      rootsRecomputed: 4,
      inclusionProofs: 0,
      provenByRuns: 0,
      consistencyProofs: 0,
      keys: [{ key: `trove-audit-test+${KEY.trusted.keyId.toString(16).padStart(8, '0')}`, checkpoints: 4 }],
      unsealed: { count: 3, firstSeq: 21, lastSeq: 23 },
      withoutLeafHash: 0,
    });
  });

  it('accepts checkpoints in any order, duplicates and a checkpoint of the whole log', async () => {
    const all = [...checkpoints, checkpointAt(log, 23, KEY.signer)].reverse();
    const result = await verify(log, [...all, checkpoints[1]]);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.checkpoints, 5);
    assert.equal(result.summary.unsealed, null);
  });

  it('names the seq of a modified field (leaf hash mismatch)', async () => {
    const tampered = log.map((r) => (r.seq === 12 ? { ...r, details: { ...r.details, ip_address: '6.6.6.6' } } : r));
    assertFails(await verify(tampered, checkpoints), 12, /leaf hash mismatch/);
  });

  it('catches a modified record whose leaf hash was recomputed too, through the root', async () => {
    const tampered = log.map((r) => (r.seq === 12 ? served({ ...withoutExtras(r), outcome: 'failure' }) : r));
    assertFails(await verify(tampered, checkpoints), 11, /root of events 1\.\.15 .* seq 11\.\.15 was modified/);
  });

  it('catches a modification after the last checkpoint only by its leaf hash (it is not sealed)', async () => {
    const recomputed = log.map((r) => (r.seq === 22 ? served({ ...withoutExtras(r), outcome: 'failure' }) : r));
    const result = await verify(recomputed, checkpoints);
    assert.ok(result.ok, 'an unsealed, consistently rewritten event cannot be detected');
    assert.deepEqual(result.ok && result.summary.unsealed, { count: 3, firstSeq: 21, lastSeq: 23 });
  });

  it('names the first seq of a deleted middle event', async () => {
    assertFails(await verify(log.filter((r) => r.seq !== 8), checkpoints), 8, /expected seq 8, found seq 9: seq 8 missing/);
  });

  it('names the first position of two reordered events', async () => {
    const reordered = [...log];
    [reordered[6], reordered[7]] = [reordered[7], reordered[6]];
    assertFails(await verify(reordered, checkpoints), 7, /expected seq 7, found seq 8/);
  });

  it('catches reordered events renumbered and rehashed, through the root', async () => {
    const swapped = log.map((r) => {
      if (r.seq === 7) return served({ ...withoutExtras(log[7]), id: 7, seq: 7 });
      if (r.seq === 8) return served({ ...withoutExtras(log[6]), id: 8, seq: 8 });
      return r;
    });
    assertFails(await verify(swapped, checkpoints), 6, /checkpoint of tree size 10/);
  });

  it('catches a forged event inserted with a duplicate seq', async () => {
    const forged = served({ ...stored(14), uuid: 'forged', event_name: 'package_registry_package_deleted' });
    const withForged = [...log.slice(0, 14), forged, ...log.slice(14)];
    assertFails(await verify(withForged, checkpoints), 15, /found seq 14 again/);
  });

  it('catches a forged event inserted and every later event renumbered, through the root', async () => {
    const forged = served({ ...stored(14), uuid: 'forged' });
    const shifted = log.slice(13).map((r) => served({ ...withoutExtras(r), id: r.seq + 1, seq: r.seq + 1 }));
    assertFails(await verify([...log.slice(0, 13), forged, ...shifted], checkpoints), 11, /tree size 15/);
  });

  it('names the first missing seq of a tail truncated before the last checkpoint', async () => {
    assertFails(await verify(log.slice(0, 17), checkpoints), 18, /seq 18\.\.20 missing: the log ends at seq 17, but the checkpoint of tree size 20/);
    assertFails(await verify([], checkpoints), 1, /log ends at seq 0/);
  });

  it('fails on an id that is not the seq', async () => {
    assertFails(await verify(log.map((r) => (r.seq === 3 ? served({ ...withoutExtras(r), id: 99 }) : r)), checkpoints), 3, /id is 99/);
  });

  it('fails on an unreadable event at the position it takes', async () => {
    assertFails(await verify([...log.slice(0, 4), new InvalidEvent('line 5 is not valid JSON'), ...log.slice(5)], checkpoints), 5, /line 5 is not valid JSON/);
  });

  it('fails, naming the key, on a checkpoint signed with an unknown key', async () => {
    const stranger = keyPair('mallory');
    const forged = checkpointAt(log, 12, stranger.signer);
    assertFails(await verify(log, [...checkpoints, forged]), 11, /checkpoint of tree size 12 .*no signature from a trusted key \(signed by mallory\+[0-9a-f]{8}\)/);
  });

  it('reports an earlier tampered event before a later checkpoint problem', async () => {
    const forged = checkpointAt(log, 12, keyPair('mallory').signer);
    const tampered = log.map((r) => (r.seq === 3 ? { ...r, outcome: 'failure' } : r));
    assertFails(await verify(tampered, [...checkpoints, forged]), 3, /leaf hash mismatch/);
  });

  it('fails on a checkpoint whose signature does not verify', async () => {
    const good = checkpointAt(log, 15, KEY.signer);
    const otherRoot = checkpointAt(makeLog(15).map((r) => (r.seq === 1 ? served({ ...withoutExtras(r), outcome: 'failure' }) : r)), 15, KEY.signer);
    // Same signature block, different checkpoint text.
    const spliced = { note: otherRoot.note.split('\n\n')[0] + '\n\n' + good.note.split('\n\n')[1], source: 'spliced' };
    assertFails(await verify(log, [...checkpoints.filter((c) => !c.source.endsWith(' 15')), spliced]), 11, /does not verify/);
  });

  it('fails when two trusted checkpoints of one size disagree (a fork)', async () => {
    const fork = makeLog(23).map((r) => (r.seq === 19 ? served({ ...withoutExtras(r), outcome: 'failure' }) : r));
    assertFails(await verify(log, [...checkpoints, checkpointAt(fork, 20, KEY.signer)]), 16, /two signed checkpoints of tree size 20 disagree/);
  });

  it('fails on a checkpoint of another log, and on a declared size that is not the signed one', async () => {
    assertFails(await verify(log, [...checkpoints, checkpointAt(log, 12, KEY.signer, 'elsewhere.test/audit')]), 11, /is for log "elsewhere\.test\/audit"/);
    assertFails(await verify(log, checkpoints, { origin: 'elsewhere.test/audit' }), 1, /not "elsewhere\.test\/audit"/);
    const lying = { ...checkpointAt(log, 10, KEY.signer), declaredTreeSize: 11 };
    assertFails(await verify(log, [...checkpoints.filter((c) => !c.source.endsWith(' 10')), lying]), 6, /says tree size 11/);
  });

  it('fails without trusted keys and on a malformed checkpoint', async () => {
    assertFails(await verify(log, checkpoints, { keys: [] }), null, /no trusted verifier keys/);
    assertFails(await verify(log, [...checkpoints, { note: 'not a note', source: 'garbage' }]), null, /garbage/);
  });

  it('verifies old checkpoints after a key rotation only while the old key is trusted', async () => {
    const newKey = keyPair('trove-audit-test-2');
    const rotated = [...checkpoints, checkpointAt(log, 23, newKey.signer)];
    const both = await verify(log, rotated, { keys: [KEY.trusted, newKey.trusted] });
    assert.ok(both.ok, JSON.stringify(both));
    assert.deepEqual(both.summary.keys.map((k) => k.checkpoints), [4, 1]);
    assertFails(await verify(log, rotated, { keys: [newKey.trusted] }), 1, /checkpoint of tree size 5 .*trove-audit-test\+/);
    // A checkpoint signed by both keys is verified by either.
    const cosigned = await verify(log, [checkpointAt(log, 20, [KEY.signer, newKey.signer])], { keys: [newKey.trusted] });
    assert.ok(cosigned.ok, JSON.stringify(cosigned));
  });

  it('points a filtered export verified as a full log at --filtered', async () => {
    const filtered = log.filter((r) => r.seq % 2 === 0).map((r) => ({ ...r, inclusion_proof: { tree_size: 20, leaf_index: r.seq - 1, hashes: [] } }));
    const result = await verify(filtered, checkpoints);
    assertFails(result, null, /this export is filtered: verify it with --filtered/);
    assert.equal(!result.ok && result.filteredExport, true);
  });

  it('tells a filtered export by its header line, and still calls a gap in an export without one a deletion', async () => {
    const header = { audit_export: { filtered: true, of: 'acme', filters: { event_name: ['x'] }, proofs: false, through_seq: 23 } };
    const kept = log.filter((r) => r.seq % 3 === 0);
    const full = await verify([header, ...kept], checkpoints);
    assertFails(full, null, /^this export is filtered: export with proofs and verify with --filtered \(of acme, filters/);
    assert.equal(!full.ok && full.filteredExport, true);
    const asFiltered = await verify([header, ...kept], checkpoints, { mode: 'filtered' });
    assertFails(asFiltered, null, /this export is filtered: export with proofs and verify with --filtered .*carries no inclusion proofs/);
    assert.equal(!asFiltered.ok && asFiltered.filteredExport, true);
    const deleted = await verify(kept, checkpoints);
    assertFails(deleted, 1, /seq 1\.\.2 missing \(deleted, or events reordered\)/);
    assert.equal(!deleted.ok && deleted.filteredExport, undefined);
  });

  it('streams a long log in constant memory (a generator, never an array of leaves)', async () => {
    const n = 20_000;
    const range = CompactRange.empty();
    const sealed: CheckpointInput[] = [];
    function* events() {
      for (let seq = 1; seq <= n; seq++) yield served(stored(seq));
    }
    for (const record of events()) {
      range.append(hashFromHex(record.leaf_hash));
      if (range.size % 4096 === 0) sealed.push({ note: signCheckpoint({ origin: ORIGIN, treeSize: range.size, rootHash: range.root(), extensions: [] }, KEY.signer), source: `cp ${range.size}` });
    }
    const result = await verifyAuditLog(events(), { mode: 'full', checkpoints: sealed, trustedKeys: [KEY.trusted] });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.events, n);
    assert.equal(result.summary.rootsRecomputed, 4);
    assert.deepEqual(result.summary.unsealed, { count: n - 16384, firstSeq: 16385, lastSeq: n });
  });
});

describe('verifyAuditLog: filtered export (inclusion proofs)', () => {
  const log = makeLog(30);
  const sealedAt = 25;
  const checkpoints = [10, 20, sealedAt].map((size) => checkpointAt(log, size, KEY.signer));
  const tree = leaves(log.slice(0, sealedAt));
  const group = log.filter((r) => r.entity_id === 7); // even seqs
  const withProofs = group.map((r) =>
    r.seq <= sealedAt ? { ...r, inclusion_proof: { tree_size: sealedAt, leaf_index: r.seq - 1, hashes: inclusionProof(tree, r.seq - 1).map(hashToHex) } } : r,
  );

  it('passes and reports the unsealed records', async () => {
    const result = await verify(withProofs, checkpoints, { mode: 'filtered' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.events, 15);
    assert.equal(result.summary.firstSeq, 2);
    assert.equal(result.summary.inclusionProofs, 12);
    assert.deepEqual(result.summary.unsealed, { count: 3, firstSeq: 26, lastSeq: 30 });
  });

  it('accepts proofs against an older checkpoint', async () => {
    const older = leaves(log.slice(0, 10));
    const mixed = withProofs.map((r) => (r.seq === 4 ? { ...r, inclusion_proof: { tree_size: 10, leaf_index: 3, hashes: inclusionProof(older, 3).map(hashToHex) } } : r));
    assert.ok((await verify(mixed, checkpoints, { mode: 'filtered' })).ok);
  });

  it('names a modified record even when its leaf hash was recomputed (the proof fails)', async () => {
    const tampered = withProofs.map((r) => (r.seq === 14 ? { ...served({ ...withoutExtras(r), outcome: 'failure' }), inclusion_proof: r.inclusion_proof } : r));
    assertFails(await verify(tampered, checkpoints, { mode: 'filtered' }), 14, /inclusion proof of seq 14 does not verify/);
    const plain = withProofs.map((r) => (r.seq === 14 ? { ...r, outcome: 'failure' } : r));
    assertFails(await verify(plain, checkpoints, { mode: 'filtered' }), 14, /leaf hash mismatch/);
  });

  it('fails on a sealed record without a proof, a wrong leaf index, an unknown tree size and reordering', async () => {
    const noProof = withProofs.map((r) => (r.seq === 6 ? { ...r, inclusion_proof: undefined } : r));
    assertFails(await verify(noProof, checkpoints, { mode: 'filtered' }), 6, /sealed by the checkpoint of tree size 25, but the record carries no inclusion proof/);
    const wrongIndex = withProofs.map((r) => (r.seq === 6 ? { ...r, inclusion_proof: { ...r.inclusion_proof, leaf_index: 6 } } : r));
    assertFails(await verify(wrongIndex, checkpoints, { mode: 'filtered' }), 6, /leaf_index is 6/);
    const unknownSize = withProofs.map((r) => (r.seq === 6 ? { ...r, inclusion_proof: { ...r.inclusion_proof, tree_size: 24 } } : r));
    assertFails(await verify(unknownSize, checkpoints, { mode: 'filtered' }), 6, /no trusted checkpoint of that size/);
    const reordered = [...withProofs];
    [reordered[2], reordered[3]] = [reordered[3], reordered[2]];
    assertFails(await verify(reordered, checkpoints, { mode: 'filtered' }), 6, /seq 6 comes after seq 8/);
  });

  it('checks every proof hash, also above the nodes a previous proof verified', async () => {
    // seq 4 and seq 6 share their path above the lowest levels: a changed top hash must still fail.
    const top = withProofs.map((r) => (r.seq === 6 ? { ...r, inclusion_proof: { ...r.inclusion_proof, hashes: [...r.inclusion_proof.hashes.slice(0, -1), 'ab'.repeat(32)] } } : r));
    assertFails(await verify(top, checkpoints, { mode: 'filtered' }), 6, /inclusion proof of seq 6 does not verify/);
    const longer = withProofs.map((r) => (r.seq === 6 ? { ...r, inclusion_proof: { ...r.inclusion_proof, hashes: [...r.inclusion_proof.hashes, 'ab'.repeat(32)] } } : r));
    assertFails(await verify(longer, checkpoints, { mode: 'filtered' }), 6, /inclusion proof of seq 6 does not verify/);
  });

  it('with consistency proofs: needs one from every checkpoint to the latest, and each must verify', async () => {
    const proofTo = (first: number) => ({ first, second: sealedAt, hashes: consistencyProof(tree, first).map(hashToHex), source: `consistency ${first}` });
    const all = [proofTo(10), proofTo(20)];
    const good = await verify(withProofs, checkpoints, { mode: 'filtered', consistency: all });
    assert.ok(good.ok, JSON.stringify(good));
    assert.equal(good.summary.consistencyProofs, 2);
    assertFails(await verify(withProofs, checkpoints, { mode: 'filtered', consistency: [proofTo(20)] }), 1, /no consistency proof from the checkpoint of tree size 10/);
    const forged = [proofTo(10), { ...proofTo(20), hashes: proofTo(20).hashes.map((h, i) => (i === 0 ? 'cd'.repeat(32) : h)) }];
    assertFails(await verify(withProofs, checkpoints, { mode: 'filtered', consistency: forged }), 11, /tree sizes 20 and 25 are not consistent/);
  });

  it('fails when the checkpoint the proofs rely on is signed by an unknown key', async () => {
    const stranger = keyPair('mallory');
    const strangers = [10, 20].map((s) => checkpointAt(log, s, KEY.signer)).concat(checkpointAt(log, sealedAt, stranger.signer));
    assertFails(await verify(withProofs, strangers, { mode: 'filtered' }), 2, /tree size 25, whose checkpoint was rejected: .*signed by mallory\+/);
  });
});

describe('verifyAuditLog: runs of consecutive records proven by the proofs at their ends', () => {
  const log = makeLog(40);
  const sealedAt = 30;
  const checkpoints = [sealedAt].map((size) => checkpointAt(log, size, KEY.signer));
  const pinned = new PinnedProofs(sealedAt, ProofBuilder.fromLeafHashes(leaves(log.slice(0, sealedAt))));
  // A run 3..12, an isolated 15, and a run 20..35 that goes past the sealed part (31..35 unsealed).
  const seqs = [...range(3, 12), 15, ...range(20, 35)];
  /** The records as an export writes them (export-proofs.ts decides which carry a proof). */
  function exported(records: Rec[]): Rec[] {
    const proofs = pinned.ofRecords(records.map((r) => r.seq as number), null, null);
    return records.map((r, i) => {
      const proof = proofs.proofAt(i);
      return proof ? { ...r, inclusion_proof: proof } : r;
    });
  }
  const exportOf = (list: number[]) => exported(list.map((seq) => log[seq - 1]));
  function range(first: number, last: number): number[] {
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }

  it('writes proofs only at the ends of runs and where the sealed part ends, and proves every sealed record', async () => {
    const records = exportOf(seqs);
    assert.deepEqual(records.filter((r) => 'inclusion_proof' in r).map((r) => r.seq), [3, 12, 15, 20, 30]);
    const result = await verify(records, checkpoints, { mode: 'filtered' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.inclusionProofs, 5);
    assert.equal(result.summary.provenByRuns, 8 + 9);
    assert.deepEqual(result.summary.unsealed, { count: 5, firstSeq: 31, lastSeq: 35 });
  });

  it('names the first record of a run when one inside it was changed (leaf hash recomputed), left out, added or swapped', async () => {
    const records = exportOf(seqs);
    const at = (seq: number) => records.findIndex((r) => r.seq === seq);
    const changed = records.map((r) => (r.seq === 7 ? served({ ...withoutExtras(r), outcome: 'failure' }) : r));
    assertFails(await verify(changed, checkpoints, { mode: 'filtered' }), 4, /events seq 4\.\.11, proven by the inclusion proofs .* are not the log's/);
    const missing = records.filter((r) => r.seq !== 7);
    assertFails(await verify(missing, checkpoints, { mode: 'filtered' }), 4, /seq 4 carries no inclusion proof, and no proof at the end of its run/);
    const foreign = served({ ...withoutExtras(log[6]), seq: 7, id: 7, uuid: 'x' });
    const replaced = records.map((r) => (r.seq === 7 ? foreign : r));
    assertFails(await verify(replaced, checkpoints, { mode: 'filtered' }), 4, /are not the log's/);
    const swapped = [...records];
    [swapped[at(21)], swapped[at(22)]] = [swapped[at(22)], swapped[at(21)]];
    assertFails(await verify(swapped, checkpoints, { mode: 'filtered' }), 22, /seq 22 is sealed by the checkpoint of tree size 30, but the record carries no inclusion proof/);
  });

  it('fails when the proof that closes a run is missing or the run is cut short', async () => {
    const records = exportOf(seqs);
    const unclosed = records.map((r) => (r.seq === 12 ? { ...r, inclusion_proof: undefined } : r));
    assertFails(await verify(unclosed, checkpoints, { mode: 'filtered' }), 4, /seq 4 carries no inclusion proof, and no proof at the end of its run/);
    const cut = records.filter((r) => (r.seq as number) <= 8);
    assertFails(await verify(cut, checkpoints, { mode: 'filtered' }), 4, /seq 4 carries no inclusion proof/);
    const noStart = records.map((r) => (r.seq === 3 ? { ...r, inclusion_proof: undefined } : r));
    assertFails(await verify(noStart, checkpoints, { mode: 'filtered' }), 3, /seq 3 is sealed by the checkpoint of tree size 30, but the record carries no inclusion proof/);
  });
});
