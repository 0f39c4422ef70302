import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { leafHashOf } from '../../src/core/audit/seal/canonical-json.js';
import { signCheckpoint } from '../../src/core/audit/seal/checkpoint.js';
import { hashFromHex, rootOf } from '../../src/core/audit/seal/merkle.js';
import { createNoteSigner, formatVerifierKey } from '../../src/core/audit/seal/signed-note.js';
import { Api, privateToken } from '../support/api.js';
import { allEvents, publishOk } from '../support/audit-e2e.js';
import { copyTroveData, expectBad, expectOk, runTroveCli, tamperedCopyOf, waitUntilSealed, type TamperDb, type TroveData } from '../support/audit-verify-data.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// docs/architecture.md#tamper-evidence: `trove audit verify`, live (the database) and offline (a JSONL export, a checkpoints
// file and trusted keys), on a log written by concurrent clients and sealed every 5 events; then
// tampering done directly in (copies of) the database with the append-only triggers dropped,
// each of which verify must catch, naming the first bad seq; then a key rotation.

const SEAL_ENV = { TROVE_AUDIT_SEAL_EVERY_EVENTS: '5', TROVE_AUDIT_SEAL_EVERY_MS: '1500' };
const CLIENTS = 6;


/** Every checkpoint of the JSON listing, all pages. */
async function checkpointListing(api: Api): Promise<any[]> {
  const all: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api.get(`/api/v4/audit_events/checkpoints?per_page=100&page=${page}`);
    assert.equal(res.status, 200, res.text);
    all.push(...res.body);
    if (!res.headers.get('x-next-page')) return all;
  }
}

/**
 * `rounds` rounds in which every client publishes one version at the same time; between rounds
 * the sealer catches up, so that the log gets several checkpoints.
 */
async function concurrentPublishes(clients: Api[], root: Api, projectId: number, prefix: string, rounds: number): Promise<number> {
  let head = 0;
  for (let v = 0; v < rounds; v++) {
    await Promise.all(clients.map((client, c) => publishOk(client, projectId, `${prefix}-${c}`, `1.0.${v}`)));
    head = await waitUntilSealed(root);
  }
  return head;
}



describe('trove audit verify', () => {
  let trove: RunningTrove;
  let data: TroveData;
  let rootToken: string;
  let projectId: number;
  let clients: Api[] = [];
  const files = tempDir('trove-verify-files-');
  const exportFile = join(files, 'audit.jsonl');
  const allTxt = join(files, 'checkpoints.txt');
  const listingJson = join(files, 'checkpoints.json');
  const keyFile = join(files, 'key.pub');
  let events: any[] = [];
  let checkpointSizes: number[] = [];
  let backup: TroveData;
  let backupSize = 0;
  let head = 0;
  const copies: TroveData[] = [];

  const verifyCli = (target: TroveData, ...args: string[]) => runTroveCli(['audit', 'verify', ...args], target);
  /** Live, with the key the test saved from the API pinned (outside the data folder). */
  const verifyLive = (target: TroveData, ...args: string[]) => verifyCli(target, '--trusted-key', keyFile, ...args);
  /** A fresh copy of the data, tampered with by `tamper` (triggers dropped first). */
  async function tampered(tamper: (db: TamperDb) => Promise<void>, options: { checkpoints?: boolean } = {}): Promise<TroveData> {
    const copy = await tamperedCopyOf(data, tamper, options);
    copies.push(copy);
    return copy;
  }
  /** The largest checkpoint size below `seq`: what a root mismatch at `seq` is attributed to, + 1. */
  const sealedBefore = (seq: number) => Math.max(0, ...checkpointSizes.filter((size) => size < seq));
  const sealedFrom = (seq: number) => Math.min(...checkpointSizes.filter((size) => size >= seq));

  before(async () => {
    // A data folder of the test's own: Troves and the CLI use it one after another.
    trove = await startTrove({ env: SEAL_ENV, dataDir: join(tempDir(), 'data') });
    rootToken = trove.rootToken;
    data = { dataDir: trove.dataDir, databaseUrl: trove.databaseUrl };
    const world = new World(trove);
    const group = await world.group('acme');
    const project = await world.project('web', group.id);
    projectId = project.id;
    for (let c = 0; c < CLIENTS; c++) {
      const token = await world.deployToken('projects', project.id, `bot-${c}`, ['write_package_registry', 'read_package_registry']);
      clients.push(new Api(trove.baseUrl, privateToken(token.token)));
    }
    backupSize = await concurrentPublishes(clients, world.root, project.id, 'first', 3);
    await trove.stop();

    // A backup of this state, restored later over a newer log.
    backup = await copyTroveData(data);
    copies.push(backup);

    trove = await startTrove({ env: { ...SEAL_ENV, TROVE_ROOT_TOKEN: rootToken, ...(data.databaseUrl ? { TROVE_DATABASE_URL: data.databaseUrl } : {}) }, dataDir: data.dataDir });
    clients = clients.map((client) => new Api(trove.baseUrl, client.auth));
    const root = new Api(trove.baseUrl, privateToken(rootToken));
    head = await concurrentPublishes(clients, root, project.id, 'second', 3);

    // What an auditor downloads: checkpoints (both forms) and keys first, then the events.
    const text = await root.get('/api/v4/audit_events/checkpoints/all.txt');
    assert.equal(text.status, 200, text.text);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    writeFileSync(allTxt, text.text);
    const listing = await checkpointListing(root);
    writeFileSync(listingJson, JSON.stringify(listing));
    checkpointSizes = listing.map((c) => c.tree_size as number).sort((a, b) => a - b);
    const key = await root.get('/api/v4/audit_events/checkpoint/public_key');
    assert.equal(key.status, 200);
    writeFileSync(keyFile, key.text);
    // Until the JSONL export is everywhere: the same records, from the list API, oldest first.
    events = (await allEvents(root, '/api/v4/audit_events')).sort((a, b) => a.seq - b.seq);
    writeFileSync(exportFile, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await trove.stop();
  });

  after(async () => {
    if (trove && trove.process.exitCode === null) await trove.stop();
  });

  it('concurrent publishes leave seq without gaps or duplicates, all sealed', () => {
    assert.ok(events.length >= 40, `only ${events.length} events`);
    assert.equal(events.length, head);
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: head }, (_, i) => i + 1));
    assert.deepEqual(events.map((e) => e.id), events.map((e) => e.seq));
    assert.equal(new Set(events.map((e) => e.uuid)).size, head);
    assert.equal(events.filter((e) => e.event_name === 'package_registry_package_published').length, CLIENTS * 6);
    assert.ok(checkpointSizes.length >= 4, `checkpoints: ${checkpointSizes}`);
    assert.equal(checkpointSizes.at(-1), head);
    assert.ok(checkpointSizes.includes(backupSize));
  });

  it('all.txt holds every checkpoint, oldest first, separated by "---" lines', () => {
    const notes = readFileSync(allTxt, 'utf8').split('\n---\n');
    assert.equal(notes.length, checkpointSizes.length);
    assert.deepEqual(notes.map((note) => Number(note.split('\n')[1])), checkpointSizes);
  });

  it('passes live, printing a summary', async () => {
    const result = await verifyLive(data);
    expectOk(result);
    assert.match(result.stdout, new RegExp(`events checked: +${head} \\(seq 1\\.\\.${head}\\)`));
    assert.match(result.stdout, new RegExp(`checkpoints verified: +${checkpointSizes.length} \\(tree sizes ${checkpointSizes[0]}\\.\\.${head}\\)`));
    assert.match(result.stdout, new RegExp(`keys used: +${readFileSync(keyFile, 'utf8').split('+')[0]}\\+[0-9a-f]{8} \\(${checkpointSizes.length}\\)`));
    assert.match(result.stdout, /not yet sealed: +none/);
  });

  it('passes offline with the text and the JSON checkpoints files', async () => {
    expectOk(await verifyCli(data, '--export', exportFile, '--checkpoints', allTxt, '--trusted-key', keyFile));
    const json = await verifyCli(data, '--export', exportFile, '--checkpoints', listingJson, '--trusted-key', keyFile, '--json');
    assert.equal(json.code, 0, json.stdout + json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.ok, true);
    assert.equal(parsed.summary.events, head);
    assert.equal(parsed.summary.rootsRecomputed, checkpointSizes.length);
  });

  it('offline: names the seq of an edited export line, and the first missing seq of a cut export', async () => {
    const target = 17;
    const lines = readFileSync(exportFile, 'utf8').split('\n');
    const edited = lines.map((line, i) => (i === target - 1 ? line.replace('"success"', '"failure"') : line));
    assert.notDeepEqual(edited, lines);
    const editedFile = join(files, 'edited.jsonl');
    writeFileSync(editedFile, edited.join('\n'));
    expectBad(await verifyCli(data, '--export', editedFile, '--checkpoints', allTxt, '--trusted-key', keyFile), target, /leaf hash mismatch/);

    // A restored older backup, offline: its export is shorter than the checkpoints the auditor holds.
    const cutFile = join(files, 'cut.jsonl');
    writeFileSync(cutFile, lines.slice(0, backupSize).map((line) => `${line}\n`).join(''));
    expectBad(await verifyCli(data, '--export', cutFile, '--checkpoints', allTxt, '--trusted-key', keyFile), backupSize + 1, new RegExp(`log ends at seq ${backupSize}, but the checkpoint of tree size ${head}`));
  });

  it('live: names an event taken out of the filter indexes (hidden from listings and exports, its hash intact)', async () => {
    const target = 11;
    const copy = await tampered((db) => db.run('UPDATE audit_events SET indexed = 0 WHERE seq = ?', [target]));
    expectBad(await verifyLive(copy), target, new RegExp(`row with seq ${target} is marked as not in the filter indexes`));
  });

  it('live: names the seq of a field modified in a record', async () => {
    const target = 9;
    const copy = await tampered(async (db) => {
      const [row] = await db.rows<{ record: string }>('SELECT record FROM audit_events WHERE seq = ?', [target]);
      const record = JSON.parse(row.record);
      record.details.ip_address = '203.0.113.66';
      await db.run('UPDATE audit_events SET record = ? WHERE seq = ?', [JSON.stringify(record), target]);
    });
    expectBad(await verifyLive(copy), target, /leaf hash mismatch/);
  });

  it('live: catches a record modified together with its leaf hash, through the root', async () => {
    const target = 23;
    const copy = await tampered(async (db) => {
      const [row] = await db.rows<{ record: string }>('SELECT record FROM audit_events WHERE seq = ?', [target]);
      const record = JSON.parse(row.record);
      record.package.version = '9.9.9';
      await db.run('UPDATE audit_events SET record = ?, leaf_hash = ? WHERE seq = ?', [JSON.stringify(record), leafHashOf(record), target]);
    });
    const cp = sealedFrom(target);
    expectBad(await verifyLive(copy), sealedBefore(target) + 1, new RegExp(`root of events 1\\.\\.${cp} .*checkpoint of tree size ${cp}`));
  });

  it('live: names a deleted middle event', async () => {
    const target = 14;
    const copy = await tampered((db) => db.run('DELETE FROM audit_events WHERE seq = ?', [target]));
    expectBad(await verifyLive(copy), target, new RegExp(`expected seq ${target}, found seq ${target + 1}: seq ${target} missing`));
  });

  it('live: names the first of two events whose seq (and id) were swapped', async () => {
    const [a, b] = [20, 21];
    const copy = await tampered(async (db) => {
      await db.run('UPDATE audit_events SET seq = -1, id = -1 WHERE seq = ?', [a]);
      await db.run('UPDATE audit_events SET seq = ?, id = ? WHERE seq = ?', [a, a, b]);
      await db.run('UPDATE audit_events SET seq = ?, id = ? WHERE seq = -1', [b, b]);
    });
    expectBad(await verifyLive(copy), a, new RegExp(`column seq of the row with seq ${a} is ${a}, but its record says ${b}`));
  });

  it('live: catches a forged event inserted in the middle, later events renumbered and rehashed', async () => {
    const at = 12;
    const copy = await tampered(async (db) => {
      const rows = await db.rows<Record<string, any>>('SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq', [at]);
      await db.run('DELETE FROM audit_events WHERE seq >= ?', [at]);
      const insert = async (row: Record<string, any>) => {
        const columns = Object.keys(row);
        await db.run(`INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns.map((c) => row[c]));
      };
      const forgedRecord = { ...JSON.parse(rows[0].record), uuid: '00000000-0000-7000-8000-0000000f0e9e', event_name: 'package_registry_package_deleted' };
      await insert({ ...rows[0], uuid: forgedRecord.uuid, event_name: forgedRecord.event_name, record: JSON.stringify(forgedRecord), leaf_hash: leafHashOf(forgedRecord) });
      for (const row of rows) {
        const seq = Number(row.seq) + 1;
        const record = { ...JSON.parse(row.record), id: seq, seq };
        await insert({ ...row, id: seq, seq, record: JSON.stringify(record), leaf_hash: leafHashOf(record) });
      }
    });
    const cp = sealedFrom(at);
    expectBad(await verifyLive(copy), sealedBefore(at) + 1, new RegExp(`checkpoint of tree size ${cp}`));
  });

  it('live: names the first missing seq of a tail truncated before the last checkpoint', async () => {
    const keep = head - 3;
    const copy = await tampered((db) => db.run('DELETE FROM audit_events WHERE seq > ?', [keep]));
    expectBad(await verifyLive(copy), keep + 1, new RegExp(`seq ${keep + 1}\\.\\.${head} missing: the log ends at seq ${keep}`));

    // The same with the checkpoints deleted too: only a checkpoints file kept elsewhere tells.
    const both = await tampered(async (db) => {
      await db.run('DELETE FROM audit_events WHERE seq > ?', [keep]);
      await db.run('DELETE FROM audit_checkpoints WHERE tree_size > ?', [keep]);
    }, { checkpoints: true });
    expectOk(await verifyLive(both));
    expectBad(await verifyLive(both, '--checkpoints', allTxt), keep + 1, /missing/);
  });

  it('live: a restored older backup passes alone, and fails against the newer checkpoints file', async () => {
    const alone = await verifyLive(backup);
    expectOk(alone);
    assert.match(alone.stdout, new RegExp(`events checked: +${backupSize} `));
    expectBad(await verifyLive(backup, '--checkpoints', allTxt), backupSize + 1, new RegExp(`seq ${backupSize + 1}\\.\\.${head} missing`));
    expectBad(await verifyLive(backup, '--checkpoints', listingJson), backupSize + 1, /older backup restored/);
  });

  it('live: names the key of a checkpoint signed with an unknown key', async () => {
    const size = checkpointSizes.find((s, i) => i > 0 && s - checkpointSizes[i - 1] > 1)! - 1;
    assert.ok(!checkpointSizes.includes(size));
    const mallory = createNoteSigner('mallory', generateKeyPairSync('ed25519').privateKey);
    const copy = await tampered(async (db) => {
      const rows = await db.rows<{ leaf_hash: string }>('SELECT leaf_hash FROM audit_events WHERE seq <= ? ORDER BY seq', [size]);
      const root = rootOf(rows.map((r) => hashFromHex(r.leaf_hash)));
      const origin = readFileSync(allTxt, 'utf8').split('\n')[0];
      const note = signCheckpoint({ origin, treeSize: size, rootHash: root, extensions: [] }, mallory);
      await db.run('INSERT INTO audit_checkpoints (tree_size, root_hash, note, key_name, frontier, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        size, Buffer.from(root).toString('hex'), note, 'mallory', '{}', new Date().toISOString(),
      ]);
    });
    const id = formatVerifierKey('mallory', mallory.publicKey).split('+')[1];
    expectBad(await verifyLive(copy), sealedBefore(size) + 1, new RegExp(`checkpoint of tree size ${size} .*no signature from a trusted key \\(signed by mallory\\+${id}\\)`));
  });

  it('trusts only pinned keys: refuses without a pin, refuses a pin inside the data folder, takes TROVE_AUDIT_TRUSTED_KEYS', async () => {
    const none = await verifyCli(data);
    assert.equal(none.code, 2, none.stdout + none.stderr);
    assert.match(none.stderr, /cannot verify: no trusted key is pinned.*--trusted-key.*TROVE_AUDIT_TRUSTED_KEYS/);
    const offline = await verifyCli(data, '--export', exportFile, '--checkpoints', allTxt);
    assert.equal(offline.code, 2);
    assert.match(offline.stderr, /no trusted key is pinned/);

    const vkey = readdirSync(join(data.dataDir, 'audit-keys')).find((f) => f.endsWith('.vkey'))!;
    const inside = await verifyCli(data, '--trusted-key', join(data.dataDir, 'audit-keys', vkey));
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /inside .* a pinned key must be kept outside the data folder/);

    expectOk(await runTroveCli(['audit', 'verify'], data, { TROVE_AUDIT_TRUSTED_KEYS: readFileSync(keyFile, 'utf8').trim() }));
    expectOk(await runTroveCli(['audit', 'verify'], data, { TROVE_AUDIT_TRUSTED_KEYS: keyFile }));
  });

  it('live: a rewritten log re-signed with a key dropped into the key folder fails against the pinned key', async () => {
    const target = 7;
    const mallory = createNoteSigner('mallory', generateKeyPairSync('ed25519').privateKey);
    const copy = await tampered(async (db) => {
      // Rewrite a sealed event and its leaf hash, then re-sign every checkpoint over the new tree.
      const [row] = await db.rows<{ record: string }>('SELECT record FROM audit_events WHERE seq = ?', [target]);
      const record = JSON.parse(row.record);
      record.details.ip_address = '198.51.100.7';
      await db.run('UPDATE audit_events SET record = ?, leaf_hash = ? WHERE seq = ?', [JSON.stringify(record), leafHashOf(record), target]);
      const leaves = (await db.rows<{ leaf_hash: string }>('SELECT leaf_hash FROM audit_events ORDER BY seq')).map((r) => hashFromHex(r.leaf_hash));
      const origin = readFileSync(allTxt, 'utf8').split('\n')[0];
      for (const size of checkpointSizes) {
        const root = rootOf(leaves.slice(0, size));
        const note = signCheckpoint({ origin, treeSize: size, rootHash: root, extensions: [] }, mallory);
        await db.run('UPDATE audit_checkpoints SET root_hash = ?, note = ?, key_name = ? WHERE tree_size = ?', [Buffer.from(root).toString('hex'), note, 'mallory', size]);
      }
    }, { checkpoints: true });
    writeFileSync(join(copy.dataDir, 'audit-keys', 'mallory.vkey'), `${formatVerifierKey('mallory', mallory.publicKey)}\n`);
    // Without a pin nothing is trusted (it used to trust every .vkey of the folder, mallory's too, and exit 0).
    assert.equal((await verifyCli(copy)).code, 2);
    const result = await verifyLive(copy);
    expectBad(result, 1, new RegExp(`checkpoint of tree size ${checkpointSizes[0]} .*no signature from a trusted key \\(signed by mallory\\+`));
  });

  it('rotate-key: old checkpoints stay verifiable with both keys trusted, not with the new one alone', async () => {
    const rotated = await runTroveCli(['audit', 'rotate-key', '--name', 'trove-audit-rotated'], data);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKey = rotated.stdout.trim();
    assert.match(newKey, /^trove-audit-rotated\+[0-9a-f]{8}\+/);
    const newKeyFile = join(files, 'new.pub');
    writeFileSync(newKeyFile, `${newKey}\n`);

    trove = await startTrove({ env: { ...SEAL_ENV, TROVE_ROOT_TOKEN: rootToken, ...(data.databaseUrl ? { TROVE_DATABASE_URL: data.databaseUrl } : {}) }, dataDir: data.dataDir });
    const root = new Api(trove.baseUrl, privateToken(rootToken));
    const newHead = await concurrentPublishes(clients.map((client) => new Api(trove.baseUrl, client.auth)), root, projectId, 'third', 2);
    const keys = await root.get('/api/v4/audit_events/checkpoint/public_key');
    assert.equal(keys.text.trim().split('\n').length, 2);
    assert.ok(keys.text.includes(newKey));
    const rotations = await root.get('/api/v4/audit_events/checkpoint/key_rotations');
    assert.equal(rotations.status, 200);
    const text = await root.get('/api/v4/audit_events/checkpoints/all.txt');
    const rotatedTxt = join(files, 'rotated.txt');
    writeFileSync(rotatedTxt, text.text);
    const newEvents = (await allEvents(root, '/api/v4/audit_events')).sort((a, b) => a.seq - b.seq);
    const rotatedExport = join(files, 'rotated.jsonl');
    writeFileSync(rotatedExport, newEvents.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await trove.stop();
    assert.ok(newHead >= head + CLIENTS * 2);

    const both = await verifyCli(data, '--export', rotatedExport, '--checkpoints', rotatedTxt, '--trusted-key', keyFile, '--trusted-key', newKeyFile);
    expectOk(both);
    assert.match(both.stdout, /trove-audit-rotated\+[0-9a-f]{8} \(\d+\)/);
    // Only the old key is pinned: the rotation statement it signed (key folder, or the API) adds the new one.
    const live = await verifyLive(data);
    expectOk(live);
    assert.match(live.stdout, /key added by rotation: trove-audit-rotated\+[0-9a-f]{8} \(signed by .*\.rotation\)/);
    const rotationsFile = join(files, 'rotations.txt');
    writeFileSync(rotationsFile, rotations.text);
    assert.match(rotations.text, /^trove-audit-key-rotation\/v1\nold .*\nnew trove-audit-rotated\+/);
    expectOk(await verifyCli(data, '--export', rotatedExport, '--checkpoints', rotatedTxt, '--trusted-key', keyFile, '--key-rotations', rotationsFile));
    const withoutStatement = await verifyCli(data, '--export', rotatedExport, '--checkpoints', rotatedTxt, '--trusted-key', keyFile);
    assert.equal(withoutStatement.code, 1, withoutStatement.stdout);
    assert.match(withoutStatement.stdout, /no signature from a trusted key \(signed by trove-audit-rotated\+/);
    const oldName = readFileSync(keyFile, 'utf8').trim().split('+').slice(0, 2).join('\\+');
    expectBad(
      await verifyCli(data, '--export', rotatedExport, '--checkpoints', rotatedTxt, '--trusted-key', newKeyFile),
      1,
      new RegExp(`checkpoint of tree size ${checkpointSizes[0]} .*no signature from a trusted key \\(signed by ${oldName}\\)`),
    );
  });
});
