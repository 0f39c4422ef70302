import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createNoteSigner,
  ed25519KeyId,
  formatVerifierKey,
  openNote,
  parseSignedNote,
  parseVerifierKey,
  signNote,
} from './signed-note.js';

// Known answer from Go's golang.org/x/mod/sumdb/note (package doc and note_test.go): the
// private key "PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 || seed)>", its verifier key and
// the note it signs. Ed25519 is deterministic, so our signer must reproduce the note byte for byte.
const GO_SEED_BASE64 = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
// The example key and note of C2SP's signed-note spec (an earlier revision, as quoted by
// implementations such as yaglo/signed_note).
const C2SP_VERIFIER_KEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE =
  'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

function goPrivateKey() {
  const seed = Buffer.from(GO_SEED_BASE64, 'base64').subarray(1); // drop the 0x01 type byte
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): fixed 16-byte header, then the seed.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

function freshSigner(name: string) {
  return createNoteSigner(name, generateKeyPairSync('ed25519').privateKey);
}

describe('signed note known answers', () => {
  it('signs exactly like Go sumdb/note', () => {
    const signer = createNoteSigner('PeterNeumann', goPrivateKey());
    assert.equal(signer.keyId, 0xc74f20a3);
    assert.equal(formatVerifierKey(signer.name, signer.publicKey), GO_VERIFIER_KEY);
    assert.equal(signNote(GO_TEXT, [signer]), GO_NOTE);
  });

  it('opens the Go and C2SP example notes with their verifier keys', () => {
    for (const [vkey, note] of [[GO_VERIFIER_KEY, GO_NOTE], [C2SP_VERIFIER_KEY, C2SP_NOTE]]) {
      const key = parseVerifierKey(vkey);
      const opened = openNote(note, [key]);
      assert.equal(opened.ok, true, vkey);
      assert.equal(opened.ok && opened.text, note.slice(0, note.lastIndexOf('\n\n') + 1));
      assert.equal(openNote(note.replace('problem', 'Problem').replace('example', 'Example'), [key]).ok, false);
    }
  });
});

describe('verifier keys', () => {
  it('computes the key ID as SHA-256(name || 0x0A || 0x01 || key)[:4]', () => {
    const key = parseVerifierKey(C2SP_VERIFIER_KEY);
    assert.equal(key.name, 'example.com/foo');
    assert.equal(key.keyId, 0x530d903a);
    assert.equal(ed25519KeyId('example.com/foo', key.publicKey), 0x530d903a);
    assert.notEqual(ed25519KeyId('example.com/bar', key.publicKey), 0x530d903a);
    assert.equal(formatVerifierKey(key.name, key.publicKey), C2SP_VERIFIER_KEY);
  });

  it('parses a key whose base64 contains "+"', () => {
    // From transparency-dev/formats note tests: the base64 part holds a '+'.
    const key = parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6');
    assert.equal(key.name, 'TEST');
    assert.equal(key.keyId, 0x7997405c);
  });

  it('refuses every truncation and a changed byte anywhere', () => {
    for (let end = 1; end < GO_VERIFIER_KEY.length; end++) {
      assert.throws(() => parseVerifierKey(GO_VERIFIER_KEY.slice(0, end)), { name: 'SealFormatError' }, `prefix ${end}`);
    }
    for (let i = 0; i < GO_VERIFIER_KEY.length; i++) {
      const changed = GO_VERIFIER_KEY.slice(0, i) + (GO_VERIFIER_KEY[i] === 'A' ? 'B' : 'A') + GO_VERIFIER_KEY.slice(i + 1);
      assert.throws(() => parseVerifierKey(changed), { name: 'SealFormatError' }, `byte ${i}`);
    }
    assert.throws(() => parseVerifierKey(`${GO_VERIFIER_KEY}\n`), { name: 'SealFormatError' });
    assert.throws(() => parseVerifierKey(GO_VERIFIER_KEY.replace('c74f20a3', 'C74F20A3')), { name: 'SealFormatError' });
  });

  it('refuses names with spaces or plus signs', () => {
    const { publicKey } = freshSigner('ok');
    for (const name of ['', 'a b', 'a+b', 'tab\tname', 'a\u00a0b']) {
      assert.throws(() => formatVerifierKey(name, publicKey), { name: 'SealFormatError' }, JSON.stringify(name));
    }
  });
});

describe('signed notes', () => {
  const alice = freshSigner('trove.example/audit');
  const bob = freshSigner('bob.example/log');
  const aliceKey = parseVerifierKey(formatVerifierKey(alice.name, alice.publicKey));
  const bobKey = parseVerifierKey(formatVerifierKey(bob.name, bob.publicKey));
  const text = 'line one\n\nline three after a blank line\n';

  it('round-trips with one or more signers', () => {
    const note = signNote(text, [alice, bob]);
    assert.deepEqual(parseSignedNote(note).signatures.map((s) => s.name), [alice.name, bob.name]);
    const opened = openNote(note, [aliceKey, bobKey]);
    assert.equal(opened.ok, true);
    assert.equal(opened.ok && opened.text, text);
    assert.deepEqual(opened.ok && opened.verifiedBy.map((key) => key.name), [alice.name, bob.name]);
  });

  it('ignores unknown keys but needs one trusted signature', () => {
    const note = signNote(text, [bob, alice]);
    const opened = openNote(note, [aliceKey]);
    assert.equal(opened.ok && opened.verifiedBy.length, 1);
    const unknown = openNote(signNote(text, [bob]), [aliceKey]);
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.code, 'unknown_key');
    assert.match(!unknown.ok ? unknown.reason : '', /bob\.example\/log\+[0-9a-f]{8}/);
  });

  it('treats a key with the same name but another ID as unknown', () => {
    const impostor = freshSigner(alice.name);
    const opened = openNote(signNote(text, [impostor]), [aliceKey]);
    assert.equal(!opened.ok && opened.code, 'unknown_key');
  });

  it('treats a trusted key ID under another name as unknown', () => {
    const note = signNote(text, [alice]);
    const renamed = note.replace(`\u2014 ${alice.name} `, '\u2014 mallory.example/log ');
    const opened = openNote(renamed, [aliceKey]);
    assert.equal(!opened.ok && opened.code, 'unknown_key');
  });

  it('refuses base64 that is not in canonical form', () => {
    const note = signNote(text, [alice]);
    // 68 bytes end in "xy=": the last character carries 2 unused bits, which must be zero.
    const match = /([A-Za-z0-9+/])=\n$/.exec(note) as RegExpExecArray;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sloppy = alphabet[alphabet.indexOf(match[1]) ^ 1];
    const nonCanonical = `${note.slice(0, -3)}${sloppy}=\n`;
    assert.equal(Buffer.from(nonCanonical.split(' ').pop() as string, 'base64').equals(Buffer.from(note.split(' ').pop() as string, 'base64')), true);
    const opened = openNote(nonCanonical, [aliceKey]);
    assert.equal(!opened.ok && opened.code, 'malformed');
  });

  it('rejects the whole note when a trusted signature fails, even if another verifies', () => {
    const note = signNote(text, [alice, bob]);
    const bobLine = note.split('\n').find((line) => line.startsWith(`\u2014 ${bob.name} `)) as string;
    const blob = Buffer.from(bobLine.split(' ')[2], 'base64');
    blob[10] ^= 1;
    const tampered = note.replace(bobLine, `\u2014 ${bob.name} ${blob.toString('base64')}`);
    const opened = openNote(tampered, [aliceKey, bobKey]);
    assert.equal(!opened.ok && opened.code, 'bad_signature');
    assert.equal(openNote(tampered, [aliceKey]).ok, true, 'without trusting bob his line is just unknown');
  });

  it('rejects a modified text', () => {
    const note = signNote(text, [alice]);
    for (const modified of [note.replace('one', 'One'), note.replace('line three', 'line 3'), `x${note}`, note.replace('\n\nline three', '\nline three')]) {
      const opened = openNote(modified, [aliceKey]);
      assert.equal(opened.ok, false, JSON.stringify(modified));
    }
  });

  it('rejects malformed signature blocks', () => {
    const note = signNote(text, [alice]);
    const line = note.slice(note.lastIndexOf('\n\n') + 2, -1);
    const malformed = [
      note.slice(0, -1), // no final newline
      note.slice(0, -10) + '\n', // truncated signature
      note.slice(0, -5) + '\n',
      note.replace('\u2014 ', '- '),
      note.replace('\u2014 ', '\u2014'),
      note.replace(`${alice.name} `, `${alice.name}  `),
      note.replace(line, line.replace(/=*$/, '')), // unpadded base64
      note + '\n',
      `${text}\n\u2014 ${alice.name} AAAA\n`, // shorter than a key ID
      text, // no signatures at all
      note.replace('line one', 'line\u0007one'),
      `${text}\n${`${line}\n`.repeat(101)}`,
    ];
    for (const bad of malformed) {
      const opened = openNote(bad, [aliceKey]);
      assert.equal(opened.ok, false, JSON.stringify(bad));
    }
    const truncated = openNote(note.slice(0, -10) + '\n', [aliceKey]);
    assert.equal(!truncated.ok && truncated.code, 'malformed');
    assert.throws(() => parseSignedNote(`${text}\n\u2014 ${alice.name} not*base64\n`), { name: 'SealFormatError' });
  });

  it('rejects a signature cut to another valid base64 length as a bad signature', () => {
    const note = signNote(text, [alice]);
    const line = note.slice(note.lastIndexOf('\n\n') + 2, -1);
    const blob = Buffer.from(line.split(' ')[2], 'base64');
    const cut = note.replace(line, `\u2014 ${alice.name} ${blob.subarray(0, 66).toString('base64')}`);
    const opened = openNote(cut, [aliceKey]);
    assert.equal(!opened.ok && opened.code, 'bad_signature');
  });

  it('refuses to sign texts that would not verify elsewhere', () => {
    assert.throws(() => signNote('no newline', [alice]), { name: 'SealFormatError' });
    assert.throws(() => signNote('bell\u0007\n', [alice]), { name: 'SealFormatError' });
    assert.throws(() => signNote('lone \ud800\n', [alice]), { name: 'SealFormatError' });
    assert.throws(() => signNote('ok\n', []), { name: 'SealFormatError' });
    assert.throws(() => createNoteSigner('x', generateKeyPairSync('ed448').privateKey), { name: 'SealFormatError' });
  });
});
