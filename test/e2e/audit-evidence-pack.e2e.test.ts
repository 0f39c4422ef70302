import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { leafHashOf } from '../../src/core/audit/seal/canonical-json.js';
import { createNoteSigner, formatVerifierKey } from '../../src/core/audit/seal/signed-note.js';
import { privateToken, type Api } from '../support/api.js';
import { jsonlRecords, publishOk, sleep } from '../support/audit-e2e.js';
import { runTroveCli, waitUntilSealed } from '../support/audit-verify-data.js';
import { copyWithOneByteChanged, downloadPack, manifestFiles, runIn, runPackVerifier, unzipPack } from '../support/evidence-pack.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// docs/auditors.md: a group's evidence pack for a period, downloaded over HTTP, unzipped into a
// clean folder and verified there by its own verify.mjs (only Node), refused after one byte of any
// of its files is changed; `sha256sum -c` accepts its manifest; making it is audited; whoever may
// not export the group's audit log may not make its pack either.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '5', TROVE_AUDIT_SEAL_EVERY_MS: '1000' };

describe('audit evidence pack', () => {
  let trove: RunningTrove;
  let root: Api;
  let alpha: { id: number; full_path: string };
  let alphaProject: number;
  let reporter: TestUser;
  let outsider: TestUser;
  let from = '';
  let to = '';
  let folder = '';
  let packPath = '';

  before(async () => {
    trove = await startTrove({ env: SEAL_ENV, dataDir: join(tempDir(), 'data') });
    const world = new World(trove);
    root = world.root;
    alpha = await world.group('alpha');
    const beta = await world.group('beta');
    alphaProject = (await world.project('web', alpha.id)).id;
    const betaProject = (await world.project('svc', beta.id)).id;
    reporter = await world.user('rita');
    await world.addMember('groups', alpha.id, reporter, 20);
    outsider = await world.user('olga');
    await publishOk(root, alphaProject, 'alpha-pkg', '0.9.0'); // before the period
    await sleep(20);
    from = new Date().toISOString();
    for (let v = 0; v < 6; v++) {
      await publishOk(root, alphaProject, 'alpha-pkg', `1.0.${v}`);
      await publishOk(root, betaProject, 'beta-pkg', `1.0.${v}`);
    }
    to = new Date().toISOString();
    await sleep(20);
    await publishOk(root, alphaProject, 'alpha-pkg', '2.0.0'); // after the period
    await waitUntilSealed(root);
    packPath = `/api/v4/groups/${alpha.id}/audit_evidence_pack?from=${from}&to=${to}`;
    const pack = await downloadPack(trove.baseUrl, packPath, privateToken(trove.rootToken));
    assert.equal(pack.status, 200, pack.zip.toString());
    assert.equal(pack.headers.get('content-type'), 'application/zip');
    assert.match(pack.headers.get('content-disposition') ?? '', /attachment; filename="audit-evidence-pack-alpha-.*\.zip"/);
    folder = unzipPack(pack.zip);
  });

  after(async () => {
    if (trove && trove.process.exitCode === null) await trove.stop();
  });

  it('holds the period of the group only, every record with its inclusion proof', () => {
    const records = jsonlRecords(readFileSync(join(folder, 'events.jsonl'), 'utf8'));
    const versions = records.filter((e) => e.event_name === 'package_registry_package_published').map((e) => e.package.version);
    assert.deepEqual(versions, ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5']);
    assert.ok(records.every((e) => e.created_at >= from && e.created_at <= to && e.inclusion_proof));
    assert.ok(!readFileSync(join(folder, 'events.jsonl'), 'utf8').includes('beta-pkg'));
    assert.deepEqual(manifestFiles(folder).sort(), [
      'README.md', 'checkpoints/checkpoints.txt', 'checkpoints/consistency.json', 'events.jsonl', 'keys/key-rotations.txt', 'keys/trusted-keys.txt', 'report.html', 'report.json', 'verify.mjs',
    ]);
    assert.match(readFileSync(join(folder, 'README.md'), 'utf8'), /node verify\.mjs/);
  });

  it('holds the audit report of exactly those events, as JSON and as a printable document', () => {
    const records = jsonlRecords(readFileSync(join(folder, 'events.jsonl'), 'utf8'));
    const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8'));
    assert.equal(report.scope.kind, 'group');
    assert.equal(report.summary.events, records.length);
    assert.deepEqual(
      report.package_changes.items.map((e: any) => e.seq),
      records.filter((e) => e.event_name.startsWith('package_registry_package_')).map((e) => e.seq),
    );
    assert.equal(report.integrity.status, 'verified', JSON.stringify(report.integrity));
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.ok(html.includes('alpha-pkg') && !html.includes('beta-pkg'));
  });

  it('verifies with its own verify.mjs in a clean folder, with trove audit verify --pack, and with sha256sum -c', async () => {
    const verified = await runPackVerifier(folder);
    assert.equal(verified.code, 0, verified.output);
    assert.match(verified.output, /events checked: +\d+ \(seq \d+\.\.\d+\)/);
    assert.match(verified.output, /consistency proofs: +\d+/);
    assert.match(verified.output, /files checked: +9 against MANIFEST\.sha256/);
    const cli = await runTroveCli(['audit', 'verify', '--pack', folder], { dataDir: tempDir(), databaseUrl: undefined });
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const sums = await runIn(folder, 'sha256sum', ['-c', 'MANIFEST.sha256']);
    assert.equal(sums.code, 0, sums.output);
  });

  it("verifies against the auditor's own copy of the key, and refuses a key that did not sign", async () => {
    const keyFile = join(tempDir(), 'operator-key.pub');
    writeFileSync(keyFile, (await root.get('/api/v4/audit_events/checkpoint/public_key')).text);
    const own = await runPackVerifier(folder, '--trusted-key', keyFile);
    assert.equal(own.code, 0, own.output);
    const stranger = createNoteSigner('mallory', generateKeyPairSync('ed25519').privateKey);
    writeFileSync(keyFile, `${formatVerifierKey('mallory', stranger.publicKey)}\n`);
    const refused = await runPackVerifier(folder, '--trusted-key', keyFile);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /NOT verified: .*no signature from a trusted key/);
  });

  it('is refused, naming the file, after one byte of any of its files is changed', async () => {
    for (const file of [...manifestFiles(folder), 'MANIFEST.sha256']) {
      const result = await runPackVerifier(copyWithOneByteChanged(folder, file));
      assert.notEqual(result.code, 0, `${file} changed, yet: ${result.output}`);
      assert.ok(result.output.includes(file), `${file} changed: ${result.output}`);
    }
  });

  it('is refused with a file slipped in that the manifest does not list', async () => {
    const copy = copyWithOneByteChanged(folder, 'README.md');
    writeFileSync(join(copy, 'README.md'), readFileSync(join(folder, 'README.md')));
    writeFileSync(join(copy, 'extra.txt'), 'not part of the pack\n');
    const result = await runPackVerifier(copy);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /extra\.txt is not listed in MANIFEST\.sha256/);
  });

  it('is audited as an export with format evidence_pack, the period and the scope', async () => {
    const res = await root.get(`/api/v4/groups/${alpha.id}/audit_events?event_name=audit_events_exported&per_page=100`);
    assert.equal(res.status, 200, res.text);
    const event = res.body.find((e: any) => e.changes?.format?.to === 'evidence_pack');
    assert.ok(event, JSON.stringify(res.body));
    assert.equal(event.entity_id, alpha.id);
    assert.equal(event.details.target_details, 'alpha');
    assert.deepEqual(event.changes.filters.to, { created_after: from, created_before: to });
    assert.deepEqual(event.changes.proofs, { from: null, to: true });
  });

  it('is refused as the export is: 403 for a reporter, 404 for an outsider, 403 for the instance to a non-admin', async () => {
    const exportPath = `/api/v4/groups/${alpha.id}/audit_events/export?format=jsonl`;
    for (const [user, status] of [[reporter, 403], [outsider, 404]] as const) {
      assert.equal((await user.api.get(exportPath)).status, status);
      assert.equal((await downloadPack(trove.baseUrl, packPath, user.api.auth)).status, status);
      assert.equal((await downloadPack(trove.baseUrl, `/api/v4/projects/${alphaProject}/audit_evidence_pack`, user.api.auth)).status, status);
    }
    assert.equal((await downloadPack(trove.baseUrl, '/api/v4/audit_evidence_pack', reporter.api.auth)).status, 403);
    assert.equal((await downloadPack(trove.baseUrl, `/api/v4/groups/${alpha.id}/audit_evidence_pack?from=${to}&to=${from}`, privateToken(trove.rootToken))).status, 400);
  });

  it('of a project and of the instance verify too', async () => {
    for (const path of [`/api/v4/projects/${alphaProject}/audit_evidence_pack`, '/api/v4/audit_evidence_pack']) {
      const pack = await downloadPack(trove.baseUrl, path, privateToken(trove.rootToken));
      assert.equal(pack.status, 200, pack.zip.toString());
      const result = await runPackVerifier(unzipPack(pack.zip));
      assert.equal(result.code, 0, `${path}: ${result.output}`);
    }
  });

  it("of the instance proves a run of consecutive events by the proofs at its ends, and refuses one of them changed with its leaf hash recomputed", async () => {
    const pack = await downloadPack(trove.baseUrl, '/api/v4/audit_evidence_pack', privateToken(trove.rootToken));
    const folder = unzipPack(pack.zip);
    const lines = readFileSync(join(folder, 'events.jsonl'), 'utf8').trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => typeof r.seq === 'number');
    const proven = records.filter((r) => r.inclusion_proof).map((r) => r.seq as number);
    assert.equal(proven[0], 1, 'the first event of the log starts a run: it carries a proof');
    assert.ok(proven.length <= 2, `only the ends of the one run carry proofs, got ${proven.join(', ')}`);
    const middle = records.find((r, i) => i > 0 && !r.inclusion_proof && (r.seq as number) < proven[proven.length - 1])!;
    assert.ok(middle, 'a record inside the run, without a proof of its own');

    // Whoever holds the database changes an event and recomputes its leaf hash and the manifest: the run's end proof still refuses it.
    const { leaf_hash: _leaf, ...stored } = middle;
    const changed = { ...stored, outcome: 'failure' };
    const at = lines.findIndex((line) => (JSON.parse(line) as { seq?: unknown }).seq === middle.seq);
    lines[at] = JSON.stringify({ ...changed, leaf_hash: leafHashOf(changed) });
    const events = `${lines.join('\n')}\n`;
    writeFileSync(join(folder, 'events.jsonl'), events);
    const manifest = readFileSync(join(folder, 'MANIFEST.sha256'), 'utf8').replace(/^[0-9a-f]{64}(?=  events\.jsonl$)/m, createHash('sha256').update(events).digest('hex'));
    writeFileSync(join(folder, 'MANIFEST.sha256'), manifest);
    const result = await runPackVerifier(folder);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /are not the log's: one was modified, inserted, deleted or reordered/);
  });
});
