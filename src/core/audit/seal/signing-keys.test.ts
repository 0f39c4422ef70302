import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { leafHash, rootOf } from './merkle.js';
import { extendTrust } from './key-rotation.js';
import { parseVerifierKey } from './signed-note.js';
import {
  defaultKeyName,
  ensureActiveSigningKey,
  listPublishedVerifierKeys,
  listRotationStatements,
  loadActiveSigningKey,
  rotateSigningKey,
} from './signing-keys.js';

const roots: string[] = [];
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function keyDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'trove-seal-'));
  roots.push(root);
  return join(root, 'data', 'audit-keys'); // not created yet: the library makes it
}

const checkpoint = (treeSize: number): Checkpoint => ({
  origin: 'trove.example.com/audit',
  treeSize,
  rootHash: rootOf(Array.from({ length: treeSize }, (_, i) => leafHash(Buffer.from(String(i))))),
  extensions: [],
});

describe('audit signing keys', () => {
  it('names keys after the day they were made', () => {
    assert.equal(defaultKeyName(new Date('2026-11-25T23:41:45Z')), 'trove-audit-2026-11-25');
  });

  it('creates a key on first use with a 0600 private key in a 0700 folder, then loads the same key', async () => {
    const dir = await keyDir();
    assert.equal(await loadActiveSigningKey(dir), null);
    assert.deepEqual(await listPublishedVerifierKeys(dir), []);

    const created = await ensureActiveSigningKey(dir, { name: 'trove.example.com/audit' });
    assert.match(created.verifierKey, /^trove\.example\.com\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{43}=?/);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    const files = (await readdir(dir)).sort();
    const keyFile = files.find((file) => file.endsWith('.key')) as string;
    assert.ok(keyFile, `a private key file in ${files.join(', ')}`);
    assert.equal((await stat(join(dir, keyFile))).mode & 0o777, 0o600);
    assert.match(await readFile(join(dir, keyFile), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    const vkeyFile = files.find((file) => file.endsWith('.vkey')) as string;
    assert.equal((await readFile(join(dir, vkeyFile), 'utf8')).trim(), created.verifierKey);

    const loaded = await ensureActiveSigningKey(dir, { name: 'ignored-because-a-key-exists' });
    assert.equal(loaded.verifierKey, created.verifierKey);
    const note = signCheckpoint(checkpoint(3), loaded.signer);
    assert.equal(openCheckpoint(note, [parseVerifierKey(created.verifierKey)]).ok, true);
  });

  it('writes the private key as 0600 whatever the umask', async () => {
    const dir = await keyDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const previous = process.umask(0o200); // would make a plain open(..., 0o600) produce 0400
    try {
      await ensureActiveSigningKey(dir, { name: 'umask-test' });
    } finally {
      process.umask(previous);
    }
    const keyFile = (await readdir(dir)).find((file) => file.endsWith('.key')) as string;
    assert.equal((await stat(join(dir, keyFile))).mode & 0o777, 0o600);
  });

  it('rotates: the new key signs, old checkpoints still verify, the old private key is gone', async () => {
    const dir = await keyDir();
    const first = await ensureActiveSigningKey(dir, { name: 'trove-audit-2026-01-01' });
    const oldNote = signCheckpoint(checkpoint(5), first.signer);

    const second = await rotateSigningKey(dir, { name: 'trove-audit-2026-06-01' });
    assert.notEqual(second.verifierKey, first.verifierKey);
    assert.equal((await loadActiveSigningKey(dir))?.verifierKey, second.verifierKey);
    const newNote = signCheckpoint(checkpoint(9), second.signer);

    const trusted = await listPublishedVerifierKeys(dir);
    assert.deepEqual(
      trusted.map((key) => [key.verifierKey, key.active]),
      [
        [first.verifierKey, false],
        [second.verifierKey, true],
      ],
    );
    assert.equal(openCheckpoint(oldNote, trusted).ok, true, 'old checkpoint after rotation');
    assert.equal(openCheckpoint(newNote, trusted).ok, true, 'new checkpoint');
    assert.equal(openCheckpoint(oldNote, trusted.filter((key) => key.active)).ok, false, 'the old key is what verifies it');

    // The old key vouched for the new one before it retired: a pin of the old key reaches the new one.
    const statements = await listRotationStatements(dir);
    assert.deepEqual(statements.map((st) => st.note), [second.rotation]);
    const chain = extendTrust([parseVerifierKey(first.verifierKey)], statements);
    assert.deepEqual(chain.keys.map((key) => key.name), ['trove-audit-2026-01-01', 'trove-audit-2026-06-01']);
    assert.equal(openCheckpoint(newNote, chain.keys).ok, true);

    const privateKeys = (await readdir(dir)).filter((file) => file.endsWith('.key'));
    assert.equal(privateKeys.length, 1, 'only the active private key is kept');
    for (const file of privateKeys) assert.equal((await stat(join(dir, file))).mode & 0o777, 0o600);
  });

  it('rotates under the same name: the key ID tells the keys apart', async () => {
    const dir = await keyDir();
    const first = await ensureActiveSigningKey(dir, { name: 'trove.example.com/audit' });
    const oldNote = signCheckpoint(checkpoint(2), first.signer);
    const second = await rotateSigningKey(dir, { name: 'trove.example.com/audit' });
    assert.notEqual(second.signer.keyId, first.signer.keyId);
    const trusted = await listPublishedVerifierKeys(dir);
    assert.equal(trusted.length, 2);
    assert.equal(openCheckpoint(oldNote, trusted).ok, true);
    assert.equal(openCheckpoint(signCheckpoint(checkpoint(4), second.signer), trusted).ok, true);
  });

  it('refuses a private key that does not match its verifier key', async () => {
    const dir = await keyDir();
    const first = await ensureActiveSigningKey(dir, { name: 'one' });
    const other = await keyDir();
    await ensureActiveSigningKey(other, { name: 'one' });
    const activeStem = (await readFile(join(dir, 'active'), 'utf8')).trim();
    const otherKey = (await readdir(other)).find((file) => file.endsWith('.key')) as string;
    await rm(join(dir, `${activeStem}.key`));
    await writeFile(join(dir, `${activeStem}.key`), await readFile(join(other, otherKey)), { mode: 0o600 });
    await assert.rejects(loadActiveSigningKey(dir), { name: 'SealFormatError' });
    assert.ok(first.verifierKey);
  });

  it('lists (publishes) a verifier key dropped into the folder, which verify does not trust for that, and refuses a corrupt one', async () => {
    const dir = await keyDir();
    await ensureActiveSigningKey(dir, { name: 'mine' });
    await writeFile(join(dir, 'peter.vkey'), 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n');
    assert.deepEqual((await listPublishedVerifierKeys(dir)).map((key) => key.name), ['PeterNeumann', 'mine']);
    await writeFile(join(dir, 'broken.vkey'), 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n');
    await assert.rejects(listPublishedVerifierKeys(dir), { name: 'SealFormatError' });
  });

  it('refuses key names that cannot appear in a signed note', async () => {
    const dir = await keyDir();
    await assert.rejects(ensureActiveSigningKey(dir, { name: 'has space' }), { name: 'SealFormatError' });
    await assert.rejects(rotateSigningKey(dir, { name: 'a+b' }), { name: 'SealFormatError' });
    assert.equal(await loadActiveSigningKey(dir), null);
  });
});
