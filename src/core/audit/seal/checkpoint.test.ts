import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { hashFromHex, leafHash, rootOf } from './merkle.js';
import { createNoteSigner, formatVerifierKey, parseVerifierKey, signNote } from './signed-note.js';

const ROOT_8 = hashFromHex('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
const ORIGIN = 'trove.example.com/audit';

function keyPair(name: string) {
  const signer = createNoteSigner(name, generateKeyPairSync('ed25519').privateKey);
  return { signer, trusted: parseVerifierKey(formatVerifierKey(name, signer.publicKey)) };
}

describe('checkpoint text (c2sp.org/tlog-checkpoint)', () => {
  it('is origin, decimal size and base64 root, each ending in a newline', () => {
    const text = formatCheckpoint({ origin: ORIGIN, treeSize: 8, rootHash: ROOT_8, extensions: [] });
    assert.equal(text, `${ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n`);
    assert.deepEqual(parseCheckpoint(text), { origin: ORIGIN, treeSize: 8, rootHash: ROOT_8, extensions: [] });
  });

  it('parses the example checkpoint of the spec', () => {
    const parsed = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    assert.equal(parsed.origin, 'example.com/behind-the-sofa');
    assert.equal(parsed.treeSize, 20852163);
    assert.equal(Buffer.from(parsed.rootHash).toString('base64'), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
  });

  it('keeps extension lines and the empty tree', () => {
    const checkpoint: Checkpoint = { origin: ORIGIN, treeSize: 0, rootHash: rootOf([]), extensions: ['ext one', 'ext two'] };
    const text = formatCheckpoint(checkpoint);
    assert.equal(text.split('\n')[1], '0');
    assert.deepEqual(parseCheckpoint(text), checkpoint);
  });

  it('refuses malformed checkpoint texts', () => {
    const root = Buffer.from(ROOT_8).toString('base64');
    for (const bad of [
      `${ORIGIN}\n8\n${root}`, // no final newline
      `${ORIGIN}\n8\n`,
      `\n8\n${root}\n`,
      `${ORIGIN}\n08\n${root}\n`, // leading zero: a second spelling of the same size
      `${ORIGIN}\n-1\n${root}\n`,
      `${ORIGIN}\n1e3\n${root}\n`,
      `${ORIGIN}\n 8\n${root}\n`,
      `${ORIGIN}\n99999999999999999999\n${root}\n`,
      `${ORIGIN}\n8\n${root.slice(0, -1)}\n`,
      `${ORIGIN}\n8\n${Buffer.from(ROOT_8.subarray(1)).toString('base64')}\n`,
      `${ORIGIN}\n8\n${root}\n\n`, // empty extension line
      `${ORIGIN}\n8\n${root.slice(0, -2)}h=\n`, // same bytes, but unused bits set (canonical is "g=")
    ]) {
      assert.throws(() => parseCheckpoint(bad), { name: 'SealFormatError' }, JSON.stringify(bad));
    }
    assert.throws(() => formatCheckpoint({ origin: 'has space', treeSize: 1, rootHash: ROOT_8, extensions: [] }), { name: 'SealFormatError' });
    assert.throws(() => formatCheckpoint({ origin: ORIGIN, treeSize: 1.5, rootHash: ROOT_8, extensions: [] }), { name: 'SealFormatError' });
    assert.throws(() => formatCheckpoint({ origin: ORIGIN, treeSize: 1, rootHash: ROOT_8.subarray(1), extensions: [] }), { name: 'SealFormatError' });
    assert.throws(() => formatCheckpoint({ origin: ORIGIN, treeSize: 1, rootHash: ROOT_8, extensions: ['a\nb'] }), { name: 'SealFormatError' });
  });
});

describe('signed checkpoints', () => {
  const log = keyPair(ORIGIN);
  const leaves = ['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s)));
  const checkpoint: Checkpoint = { origin: ORIGIN, treeSize: 3, rootHash: rootOf(leaves), extensions: [] };

  it('round-trips through sign and open', () => {
    const note = signCheckpoint(checkpoint, log.signer);
    assert.ok(note.startsWith(formatCheckpoint(checkpoint) + '\n\u2014 ' + ORIGIN + ' '));
    const opened = openCheckpoint(note, [log.trusted], { origin: ORIGIN });
    assert.equal(opened.ok, true);
    assert.deepEqual(opened.ok && opened.checkpoint, checkpoint);
    assert.deepEqual(opened.ok && opened.verifiedBy, [log.trusted]);
  });

  it('rejects a modified body: size, root or origin', () => {
    const note = signCheckpoint(checkpoint, log.signer);
    const root = Buffer.from(checkpoint.rootHash).toString('base64');
    const otherRoot = Buffer.from(rootOf(leaves.slice(0, 2))).toString('base64');
    for (const modified of [note.replace('\n3\n', '\n4\n'), note.replace(root, otherRoot), note.replace(`${ORIGIN}\n`, 'trove.example.com/other\n')]) {
      const opened = openCheckpoint(modified, [log.trusted]);
      assert.equal(!opened.ok && opened.code, 'bad_signature', JSON.stringify(modified));
    }
  });

  it('rejects a checkpoint signed by a wrong or unknown key, with the reason', () => {
    const stranger = keyPair('trove.example.com/other');
    const opened = openCheckpoint(signCheckpoint(checkpoint, stranger.signer), [log.trusted]);
    assert.equal(!opened.ok && opened.code, 'unknown_key');
    assert.match(!opened.ok ? opened.reason : '', /no signature from a trusted key.*trove\.example\.com\/other\+[0-9a-f]{8}/);

    // A wrong key under our own name: unknown as well (another key ID), never accepted.
    const sameName = keyPair(ORIGIN);
    const forged = openCheckpoint(signCheckpoint(checkpoint, sameName.signer), [log.trusted]);
    assert.equal(!forged.ok && forged.code, 'unknown_key');

    // A signature line that claims our key ID but was made with another key.
    const good = signCheckpoint(checkpoint, log.signer);
    const forgedBlob = Buffer.from(signCheckpoint(checkpoint, sameName.signer).trimEnd().split(' ').pop() as string, 'base64');
    Buffer.from(good.trimEnd().split(' ').pop() as string, 'base64').copy(forgedBlob, 0, 0, 4);
    const spoofed = good.replace(/ [A-Za-z0-9+/=]+\n$/, ` ${forgedBlob.toString('base64')}\n`);
    const spoofedOpen = openCheckpoint(spoofed, [log.trusted]);
    assert.equal(!spoofedOpen.ok && spoofedOpen.code, 'bad_signature');
  });

  it('rejects a truncated signature line', () => {
    const note = signCheckpoint(checkpoint, log.signer);
    for (const cut of [1, 5, 20, 60]) {
      const truncated = note.slice(0, -1 - cut) + '\n';
      assert.equal(openCheckpoint(truncated, [log.trusted]).ok, false, `cut ${cut}`);
    }
    assert.equal(openCheckpoint(note.slice(0, -1), [log.trusted]).ok, false, 'without the final newline');
  });

  it('rejects a correctly signed checkpoint of another origin when the origin is pinned', () => {
    const other = { ...checkpoint, origin: 'trove.example.com/other' };
    const opened = openCheckpoint(signCheckpoint(other, log.signer), [log.trusted], { origin: ORIGIN });
    assert.equal(!opened.ok && opened.code, 'wrong_origin');
  });

  it('rejects a well-signed note whose text is not a checkpoint', () => {
    for (const text of [`${ORIGIN}\n3\n`, `${ORIGIN}\n03\n${Buffer.from(checkpoint.rootHash).toString('base64')}\n`, 'hello\n']) {
      const opened = openCheckpoint(signNote(text, [log.signer]), [log.trusted]);
      assert.equal(!opened.ok && opened.code, 'malformed', JSON.stringify(text));
    }
  });
});
