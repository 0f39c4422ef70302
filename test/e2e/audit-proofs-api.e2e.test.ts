import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../src/core/audit/seal/checkpoint.js';
import { hashFromHex, verifyConsistency, verifyInclusion } from '../../src/core/audit/seal/merkle.js';
import { parseVerifierKey, type NoteVerifierKey } from '../../src/core/audit/seal/signed-note.js';
import { Api, privateToken } from '../support/api.js';
import { waitUntilSealed } from '../support/audit-verify-data.js';
import { publishOk } from '../support/audit-e2e.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/architecture.md#tamper-evidence: GET /api/v4/audit_events/:id/proof answers RFC 9162 inclusion proofs (built with the
// proof builder) that verify against the root of the signed checkpoint they name, also against an
// older checkpoint (tree_size=); /consistency proofs verify between two signed checkpoints; proofs
// are for administrators; an unsealed event is 404; above TROVE_AUDIT_PROOF_MAX_EVENTS both the
// proof endpoint and the export with proofs=true answer 400.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '3', TROVE_AUDIT_SEAL_EVERY_MS: '300' };
// After the restart: no new checkpoint while the test runs, and a limit below the sealed tree.
const LIMITED_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '10000000', TROVE_AUDIT_SEAL_EVERY_MS: '86400000', TROVE_AUDIT_PROOF_MAX_EVENTS: '5' };
const PUBLISHES = 16;


describe('audit proofs API: inclusion and consistency proofs against signed checkpoints', () => {
  let trove: RunningTrove;
  let root: Api;
  let rootToken: string;
  let user: Api;
  let projectId = 0;
  let sealedSize = 0;
  let trusted: NoteVerifierKey[] = [];
  let origin = '';

  /** Opens a signed checkpoint note with the instance's public key: its size and root. */
  function open(note: string): { treeSize: number; rootHash: Uint8Array } {
    const opened = openCheckpoint(note, trusted, { origin });
    assert.ok(opened.ok, `checkpoint does not verify: ${JSON.stringify(opened)}`);
    return opened.checkpoint;
  }

  /** Fetches the proof of `seq` (against `treeSize`, or the latest) and verifies it against its signed checkpoint. */
  async function verifiedProof(seq: number, treeSize?: number): Promise<any> {
    const res = await root.get(`/api/v4/audit_events/${seq}/proof${treeSize === undefined ? '' : `?tree_size=${treeSize}`}`);
    assert.equal(res.status, 200, res.text);
    const proof = res.body;
    assert.deepEqual(Object.keys(proof), ['seq', 'leaf_index', 'tree_size', 'leaf_hash', 'proof', 'root_hash', 'checkpoint']);
    assert.equal(proof.seq, seq);
    assert.equal(proof.leaf_index, seq - 1);
    if (treeSize !== undefined) assert.equal(proof.tree_size, treeSize);
    assert.match(proof.leaf_hash, /^[0-9a-f]{64}$/);
    assert.ok(proof.proof.every((h: string) => /^[0-9a-f]{64}$/.test(h)), res.text);
    const checkpoint = open(proof.checkpoint);
    assert.equal(checkpoint.treeSize, proof.tree_size);
    assert.equal(Buffer.from(checkpoint.rootHash).toString('hex'), proof.root_hash);
    const hashes = proof.proof.map(hashFromHex);
    assert.ok(
      verifyInclusion(hashFromHex(proof.leaf_hash), proof.leaf_index, checkpoint.treeSize, hashes, checkpoint.rootHash),
      `proof of seq ${seq} in tree ${proof.tree_size} does not verify`,
    );
    // Any other leaf, or another position, does not verify with the same path.
    const other = hashFromHex(proof.leaf_hash);
    other[0] ^= 1;
    assert.ok(!verifyInclusion(other, proof.leaf_index, checkpoint.treeSize, hashes, checkpoint.rootHash), 'another leaf verifies');
    if (checkpoint.treeSize > 1) {
      const moved = proof.leaf_index === 0 ? 1 : proof.leaf_index - 1;
      assert.ok(!verifyInclusion(hashFromHex(proof.leaf_hash), moved, checkpoint.treeSize, hashes, checkpoint.rootHash), 'another index verifies');
    }
    return proof;
  }

  // A folder of the test's own: a second Trove starts on it after the first one stops.
  const dataDir = join(tempDir(), 'data');

  before(async () => {
    trove = await startTrove({ env: SEAL_ENV, dataDir });
    rootToken = trove.rootToken;
    const world = new World(trove);
    root = world.root;
    user = (await world.user('auditee')).api;
    const group = await world.group('proofs');
    projectId = (await world.project('web', group.id)).id;
    // In rounds, each sealed before the next: many checkpoints to prove against and between.
    for (let v = 0; v < PUBLISHES; v++) {
      await publishOk(root, projectId, 'proof-pkg', `1.0.${v}`);
      if (v % 2 === 1) sealedSize = await waitUntilSealed(root);
    }
    const key = await root.get('/api/v4/audit_events/checkpoint/public_key');
    assert.equal(key.status, 200, key.text);
    trusted = key.text.split('\n').filter((line) => line !== '').map(parseVerifierKey);
    const checkpoint = await root.get('/api/v4/audit_events/checkpoint');
    assert.equal(checkpoint.status, 200, checkpoint.text);
    origin = checkpoint.body.origin;
  });

  after(async () => {
    if (trove && trove.process.exitCode === null) await trove.stop();
  });

  it('inclusion proofs of several events verify against the root of the latest signed checkpoint', async () => {
    assert.ok(sealedSize >= 18, `only ${sealedSize} events`);
    const seqs = [...new Set([1, 2, 3, 4, 7, 8, Math.floor(sealedSize / 2), sealedSize - 2, sealedSize - 1, sealedSize])];
    for (const seq of seqs) {
      const proof = await verifiedProof(seq);
      assert.ok(proof.tree_size >= sealedSize, `tree ${proof.tree_size} < ${sealedSize}`);
    }
    // The event id is the seq: the leaf hash is that of the listed event.
    const listed = await root.get('/api/v4/audit_events?per_page=100');
    assert.equal(listed.status, 200, listed.text);
    const event = listed.body.find((e: any) => e.seq === sealedSize - 1);
    assert.ok(event, 'listed event');
    if (event.leaf_hash !== undefined) assert.equal((await verifiedProof(event.seq)).leaf_hash, event.leaf_hash);
  });

  it('inclusion proofs against older checkpoints (tree_size=) verify against their own roots', async () => {
    const res = await root.get('/api/v4/audit_events/checkpoints?per_page=100');
    assert.equal(res.status, 200, res.text);
    const sizes = (res.body as any[]).map((c) => c.tree_size as number).filter((size) => size <= sealedSize);
    assert.ok(sizes.length >= 3, `checkpoints: ${sizes}`);
    for (const size of sizes.slice(0, 6)) {
      for (const seq of new Set([1, Math.ceil(size / 2), size])) await verifiedProof(seq, size);
    }
    const missing = await root.get(`/api/v4/audit_events/1/proof?tree_size=${sealedSize + 1000}`);
    assert.equal(missing.status, 404, missing.text);
  });

  it('consistency proofs between signed checkpoints verify', async () => {
    const res = await root.get('/api/v4/audit_events/checkpoints?per_page=100');
    assert.equal(res.status, 200, res.text);
    const sizes = (res.body as any[]).map((c) => c.tree_size as number).sort((a, b) => a - b);
    const pairs: [number, number][] = [];
    for (let i = 0; i < sizes.length; i++) for (let j = i; j < sizes.length; j += 2) pairs.push([sizes[i], sizes[j]]);
    assert.ok(pairs.some(([a, b]) => a < b), `checkpoints: ${sizes}`);
    for (const [first, second] of pairs) {
      const consistency = await root.get(`/api/v4/audit_events/consistency?first=${first}&second=${second}`);
      assert.equal(consistency.status, 200, consistency.text);
      assert.equal(consistency.body.first, first);
      assert.equal(consistency.body.second, second);
      const older = open(consistency.body.first_checkpoint);
      const newer = open(consistency.body.second_checkpoint);
      assert.equal(older.treeSize, first);
      assert.equal(newer.treeSize, second);
      const proof = consistency.body.proof.map(hashFromHex);
      assert.ok(verifyConsistency(first, second, older.rootHash, newer.rootHash, proof), `consistency ${first} -> ${second} does not verify`);
      if (first < second) assert.ok(!verifyConsistency(first, second, newer.rootHash, newer.rootHash, proof), `a wrong old root verifies ${first} -> ${second}`);
    }
    const bad = await root.get(`/api/v4/audit_events/consistency?first=${sizes.at(-1)}&second=${sizes[0]}`);
    assert.equal(bad.status, 400, bad.text);
  });

  it('a non-administrator gets 403 on /proof, an anonymous caller 401', async () => {
    const res = await user.get('/api/v4/audit_events/1/proof');
    assert.equal(res.status, 403, res.text);
    const anonymous = await new Api(trove.baseUrl).get('/api/v4/audit_events/1/proof');
    assert.equal(anonymous.status, 401, anonymous.text);
  });

  it('with TROVE_AUDIT_PROOF_MAX_EVENTS=5: an unsealed event is 404, a proof on the larger sealed tree and an export with proofs are 400', async () => {
    const databaseUrl = trove.databaseUrl;
    await trove.stop();
    trove = await startTrove({ env: { ...LIMITED_ENV, TROVE_ROOT_TOKEN: rootToken, ...(databaseUrl ? { TROVE_DATABASE_URL: databaseUrl } : {}) }, dataDir });
    root = new Api(trove.baseUrl, privateToken(rootToken));
    const checkpoint = await root.get('/api/v4/audit_events/checkpoint');
    assert.equal(checkpoint.status, 200, checkpoint.text);
    const pinned = checkpoint.body.tree_size as number;
    assert.ok(pinned >= sealedSize && pinned > 5, `checkpoint ${pinned}`);

    await publishOk(root, projectId, 'proof-pkg', '2.0.0');
    const head = await root.get('/api/v4/audit_events?per_page=1');
    const unsealed = Number(head.body[0].seq);
    assert.ok(unsealed > pinned, `head ${unsealed}, checkpoint ${pinned}`);
    const notSealed = await root.get(`/api/v4/audit_events/${unsealed}/proof`);
    assert.equal(notSealed.status, 404, notSealed.text);
    assert.match(notSealed.text, /not sealed yet/);

    for (const seq of [1, pinned]) {
      const res = await root.get(`/api/v4/audit_events/${seq}/proof`);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /TROVE_AUDIT_PROOF_MAX_EVENTS/);
    }
    const older = await root.get(`/api/v4/audit_events/1/proof?tree_size=${pinned}`);
    assert.equal(older.status, 400, older.text);
    const exported = await root.get('/api/v4/audit_events/export?format=jsonl&proofs=true');
    assert.equal(exported.status, 400, exported.text);
    assert.match(exported.text, /TROVE_AUDIT_PROOF_MAX_EVENTS/);
    // Without proofs the export is not limited.
    const plain = await root.get('/api/v4/audit_events/export?format=jsonl');
    assert.equal(plain.status, 200, plain.text);
    // A checkpoint within the limit still answers proofs that verify.
    const small = await root.get('/api/v4/audit_events/checkpoints?per_page=100');
    const within = (small.body as any[]).map((c) => c.tree_size as number).filter((size) => size <= 5);
    for (const size of within) await verifiedProof(1, size);
  });
});
