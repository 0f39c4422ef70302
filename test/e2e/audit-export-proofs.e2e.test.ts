import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { leafHashOf } from '../../src/core/audit/seal/canonical-json.js';
import { Api, privateToken } from '../support/api.js';
import { jsonlRecords, publishOk } from '../support/audit-e2e.js';
import { expectBad, expectOk, runTroveCli, waitUntilSealed, type TroveData } from '../support/audit-verify-data.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/api.md#audit-export + docs/architecture.md#tamper-evidence: a filtered export (one group) with proofs=true verifies on its own through the
// inclusion proofs it carries (`trove audit verify --filtered`), against the signed checkpoints;
// any tampering with a line is caught and named by seq; records after the pinned checkpoint carry
// no proof and are reported as not yet sealed. On a log of two groups whose events interleave.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '5', TROVE_AUDIT_SEAL_EVERY_MS: '1000' };
// After the restart: no new checkpoint while the test runs.
const NO_SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '10000000', TROVE_AUDIT_SEAL_EVERY_MS: '86400000' };
const ROUNDS = 8;


const parseLines = jsonlRecords;



describe('audit export with proofs=true, verified with --filtered', () => {
  let trove: RunningTrove;
  let data: TroveData;
  let root: Api;
  let rootToken: string;
  let alpha: { id: number; full_path: string };
  let alphaProject: number;
  let betaProject: number;
  let sealedSize = 0;
  const files = tempDir('trove-export-proofs-');
  const exportFile = join(files, 'alpha.jsonl');
  const laterFile = join(files, 'alpha-later.jsonl');
  const cliFile = join(files, 'alpha-cli.jsonl');
  const checkpointsFile = join(files, 'checkpoints.txt');
  const keyFile = join(files, 'key.pub');
  let exported: any[] = [];
  let later: any[] = [];
  let laterPublished: number[] = [];

  const verify = (file: string, ...extra: string[]) =>
    runTroveCli(['audit', 'verify', '--filtered', '--export', file, '--checkpoints', checkpointsFile, '--trusted-key', keyFile, ...extra], data);
  /** A copy of the export with record `index` (0-based, after the header line) replaced by `edit` of it. */
  function tamperedCopy(name: string, index: number, edit: (record: any) => any): string {
    const lines = readFileSync(exportFile, 'utf8').split('\n');
    const line = index + 1;
    const changed = JSON.stringify(edit(JSON.parse(lines[line])));
    assert.notEqual(changed, lines[line]);
    lines[line] = changed;
    const path = join(files, name);
    writeFileSync(path, lines.join('\n'));
    return path;
  }

  before(async () => {
    // A data folder of the test's own: Troves and the CLI use it one after another.
    trove = await startTrove({ env: SEAL_ENV, dataDir: join(tempDir(), 'data') });
    rootToken = trove.rootToken;
    data = { dataDir: trove.dataDir, databaseUrl: trove.databaseUrl };
    const world = new World(trove);
    root = world.root;
    alpha = await world.group('alpha');
    const beta = await world.group('beta');
    alphaProject = (await world.project('web', alpha.id)).id;
    betaProject = (await world.project('svc', beta.id)).id;
    // Interleaved: alpha's events are never contiguous in the log.
    for (let v = 0; v < ROUNDS; v++) {
      await publishOk(root, alphaProject, 'alpha-pkg', `1.0.${v}`);
      await publishOk(root, betaProject, 'beta-pkg', `1.0.${v}`);
    }
    sealedSize = await waitUntilSealed(root);

    const text = await root.get('/api/v4/audit_events/checkpoints/all.txt');
    assert.equal(text.status, 200, text.text);
    writeFileSync(checkpointsFile, text.text);
    const key = await root.get('/api/v4/audit_events/checkpoint/public_key');
    assert.equal(key.status, 200, key.text);
    writeFileSync(keyFile, key.text);
    const res = await root.get(`/api/v4/groups/${alpha.id}/audit_events/export?format=jsonl&proofs=true`);
    assert.equal(res.status, 200, res.text);
    writeFileSync(exportFile, res.text);
    exported = parseLines(res.text);
  });

  after(async () => {
    if (trove && trove.process.exitCode === null) await trove.stop();
  });

  it('exports only the group, every sealed record with its inclusion proof against the latest checkpoint', () => {
    assert.ok(exported.length >= ROUNDS, `only ${exported.length} records`);
    const published = exported.filter((e) => e.event_name === 'package_registry_package_published');
    assert.deepEqual(published.map((e) => e.package.name), Array(ROUNDS).fill('alpha-pkg'));
    assert.ok(!JSON.stringify(exported).includes('beta-pkg'));
    const seqs = exported.map((e) => e.seq as number);
    assert.ok(seqs.some((seq, i) => i > 0 && seq - seqs[i - 1] > 1), `alpha's seqs are contiguous: ${seqs}`);
    for (const e of exported) {
      assert.ok(e.seq <= sealedSize, `seq ${e.seq} after the checkpoint ${sealedSize}`);
      assert.deepEqual(Object.keys(e.inclusion_proof), ['tree_size', 'leaf_index', 'hashes']);
      assert.equal(e.inclusion_proof.tree_size, sealedSize);
      assert.equal(e.inclusion_proof.leaf_index, e.seq - 1);
      assert.ok(e.inclusion_proof.hashes.length > 0 && e.inclusion_proof.hashes.every((h: string) => /^[0-9a-f]{64}$/.test(h)));
      assert.match(e.leaf_hash, /^[0-9a-f]{64}$/);
    }
  });

  it('records proofs in the changes of audit_events_exported', async () => {
    const res = await root.get(`/api/v4/groups/${alpha.id}/audit_events?event_name=audit_events_exported&per_page=100`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.length >= 1);
    const event = res.body[0];
    assert.deepEqual(event.changes.proofs, { from: null, to: true });
    assert.deepEqual(event.changes.format, { from: null, to: 'jsonl' });
    assert.match(event.details.custom_message, /with inclusion proofs/);
  });

  it('refuses proofs with another format, and a bad proofs value', async () => {
    const csv = await root.get(`/api/v4/groups/${alpha.id}/audit_events/export?format=csv&proofs=true`);
    assert.equal(csv.status, 400, csv.text);
    const bad = await root.get(`/api/v4/groups/${alpha.id}/audit_events/export?format=jsonl&proofs=yes`);
    assert.equal(bad.status, 400, bad.text);
  });

  it('the filtered export verifies through its inclusion proofs', async () => {
    const result = await verify(exportFile);
    expectOk(result);
    assert.match(result.stdout, new RegExp(`events checked: +${exported.length} `));
    assert.match(result.stdout, new RegExp(`${exported.length} inclusion proofs verified`));
    assert.match(result.stdout, /not yet sealed: +none/);
  });

  it('names the seq of an edited field, even with its leaf_hash recomputed', async () => {
    const index = 3;
    const seq = exported[index].seq;
    expectBad(await verify(tamperedCopy('edited.jsonl', index, (r) => ({ ...r, outcome: 'failure' }))), seq, /leaf hash mismatch/);
    const rehashed = tamperedCopy('rehashed.jsonl', index, (r) => {
      const { leaf_hash: _leaf, inclusion_proof: proof, ...stored } = r;
      const edited = { ...stored, ip_address: '203.0.113.9' };
      return { ...edited, leaf_hash: leafHashOf(edited), inclusion_proof: proof };
    });
    expectBad(await verify(rehashed), seq, /inclusion proof of seq \d+ does not verify/);
  });

  it('names the seq of a swapped proof hash and of a changed leaf_index', async () => {
    const index = exported.length - 2;
    const seq = exported[index].seq;
    const swapped = tamperedCopy('swapped.jsonl', index, (r) => {
      const hashes = [...r.inclusion_proof.hashes];
      hashes[0] = exported[0].leaf_hash === hashes[0] ? exported[1].leaf_hash : exported[0].leaf_hash;
      return { ...r, inclusion_proof: { ...r.inclusion_proof, hashes } };
    });
    expectBad(await verify(swapped), seq, /does not verify against the checkpoint of tree size/);
    const reordered = tamperedCopy('reordered.jsonl', index, (r) => ({ ...r, inclusion_proof: { ...r.inclusion_proof, hashes: [...r.inclusion_proof.hashes].reverse() } }));
    if (exported[index].inclusion_proof.hashes.length > 1) expectBad(await verify(reordered), seq, /does not verify/);
    const moved = tamperedCopy('moved.jsonl', 1, (r) => ({ ...r, inclusion_proof: { ...r.inclusion_proof, leaf_index: r.inclusion_proof.leaf_index + 1 } }));
    expectBad(await verify(moved), exported[1].seq, /leaf_index/);
    const dropped = tamperedCopy('dropped.jsonl', 2, (r) => {
      const { inclusion_proof: _proof, ...rest } = r;
      return rest;
    });
    expectBad(await verify(dropped), exported[2].seq, /carries no inclusion proof/);
  });

  it('after more events without a new checkpoint: later records carry no proof and are reported as not yet sealed', async () => {
    await trove.stop();
    trove = await startTrove({
      env: { ...NO_SEAL_ENV, TROVE_ROOT_TOKEN: rootToken, ...(data.databaseUrl ? { TROVE_DATABASE_URL: data.databaseUrl } : {}) },
      dataDir: data.dataDir,
    });
    root = new Api(trove.baseUrl, privateToken(rootToken));
    await publishOk(root, alphaProject, 'alpha-pkg', '2.0.0');
    await publishOk(root, betaProject, 'beta-pkg', '2.0.0');
    await publishOk(root, alphaProject, 'alpha-pkg', '2.0.1');
    // The first Trove may have sealed the first export's own event before it stopped: pin what is there.
    const checkpoint = await root.get('/api/v4/audit_events/checkpoint');
    assert.equal(checkpoint.status, 200, checkpoint.text);
    const pinned = checkpoint.body.tree_size as number;
    assert.ok(pinned >= sealedSize && pinned <= sealedSize + 1, `checkpoint ${pinned} after ${sealedSize}`);
    const text = await root.get('/api/v4/audit_events/checkpoints/all.txt');
    writeFileSync(checkpointsFile, text.text);
    const res = await root.get(`/api/v4/groups/${alpha.id}/audit_events/export?format=jsonl&proofs=true`);
    assert.equal(res.status, 200, res.text);
    writeFileSync(laterFile, res.text);
    later = parseLines(res.text);
    const sealed = later.filter((e) => e.seq <= pinned);
    const unsealed = later.filter((e) => e.seq > pinned);
    laterPublished = unsealed.filter((e) => e.event_name === 'package_registry_package_published').map((e) => e.seq);
    assert.equal(laterPublished.length, 2);
    assert.ok(sealed.every((e) => e.inclusion_proof?.tree_size === pinned && e.inclusion_proof.leaf_index === e.seq - 1));
    assert.ok(unsealed.every((e) => !('inclusion_proof' in e)));
    // The records of the first export come again, first, the same but for the proofs' tree size.
    const withoutProof = ({ inclusion_proof: _proof, ...rest }: any) => rest;
    assert.deepEqual(later.slice(0, exported.length).map(withoutProof), exported.map(withoutProof));
    assert.ok(unsealed.length >= 2 && unsealed[0].seq > pinned);
    // The checkpoint is still the one the export pinned.
    assert.equal((await root.get('/api/v4/audit_events/checkpoint')).body.tree_size, pinned, 'no new checkpoint expected');

    const result = await verify(laterFile);
    expectOk(result);
    assert.match(result.stdout, new RegExp(`${sealed.length} inclusion proofs verified`));
    assert.match(result.stdout, new RegExp(`not yet sealed: +${unsealed.length} events \\(seq ${unsealed[0].seq}\\.\\.${unsealed.at(-1).seq}\\)`));
  });

  it('trove audit export --proofs writes the same proofs from the database', async () => {
    await trove.stop();
    const result = await runTroveCli(['audit', 'export', '--group', 'alpha', '--format', 'jsonl', '--proofs'], data);
    assert.equal(result.code, 0, result.stderr);
    writeFileSync(cliFile, result.stdout);
    const records = parseLines(result.stdout);
    assert.deepEqual(records.slice(0, later.length), later);
    assert.ok(records.length > later.length, 'the API export event is part of the CLI export');
    assert.ok(records.slice(later.length).every((e) => !('inclusion_proof' in e)));
    const verified = await verify(cliFile);
    expectOk(verified);
    assert.match(verified.stdout, new RegExp(`${later.filter((e) => 'inclusion_proof' in e).length} inclusion proofs verified`));
    assert.match(verified.stdout, new RegExp(`not yet sealed: +${records.length - later.filter((e) => 'inclusion_proof' in e).length} events`));
  });

  it('a filtered export is named as such, never as deletions; a line deleted from a full export still is one', async () => {
    trove = await startTrove({
      env: { ...NO_SEAL_ENV, TROVE_ROOT_TOKEN: rootToken, ...(data.databaseUrl ? { TROVE_DATABASE_URL: data.databaseUrl } : {}) },
      dataDir: data.dataDir,
    });
    root = new Api(trove.baseUrl, privateToken(rootToken));
    const header = JSON.parse(readFileSync(exportFile, 'utf8').split('\n')[0]);
    assert.deepEqual(header.audit_export, { filtered: true, of: 'alpha', filters: {}, proofs: true, through_seq: header.audit_export.through_seq });
    const full = (file: string) => runTroveCli(['audit', 'verify', '--export', file, '--checkpoints', checkpointsFile, '--trusted-key', keyFile], data);
    const withProofs = await full(exportFile);
    assert.equal(withProofs.code, 3, withProofs.stdout + withProofs.stderr);
    assert.match(withProofs.stdout, /this export is filtered: verify it with --filtered/);

    const plainFile = join(files, 'alpha-plain.jsonl');
    const plain = await root.get(`/api/v4/groups/${alpha.id}/audit_events/export?format=jsonl`);
    assert.equal(plain.status, 200, plain.text);
    writeFileSync(plainFile, plain.text);
    for (const result of [await full(plainFile), await verify(plainFile)]) {
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.match(result.stdout, /this export is filtered: export with proofs and verify with --filtered \(of alpha\)/);
      assert.doesNotMatch(result.stdout, /deleted|missing/);
    }
    const byName = await root.get(`/api/v4/audit_events/export?format=jsonl&event_name=package_registry_package_published`);
    const byNameFile = join(files, 'by-name.jsonl');
    writeFileSync(byNameFile, byName.text);
    const named = await full(byNameFile);
    assert.equal(named.code, 3, named.stdout);
    assert.match(named.stdout, /of instance, filters \{"event_name":\["package_registry_package_published"\]\}/);

    // The whole log: no header, and a line taken out is a deletion.
    const all = await root.get('/api/v4/audit_events/export?format=jsonl');
    const lines = all.text.trimEnd().split('\n');
    assert.ok(!('audit_export' in JSON.parse(lines[0])));
    const cutFile = join(files, 'instance-cut.jsonl');
    writeFileSync(cutFile, [...lines.slice(0, 4), ...lines.slice(5)].map((l) => `${l}\n`).join(''));
    expectBad(await full(cutFile), 5, /expected seq 5, found seq 6: seq 5 missing \(deleted, or events reordered\)/);
  });
});
