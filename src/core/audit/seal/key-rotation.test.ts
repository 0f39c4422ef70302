import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { extendTrust, parseRotationText, signRotation } from './key-rotation.js';
import { createNoteSigner, formatVerifierKey, parseSignedNote, parseVerifierKey, signNote } from './signed-note.js';

const signer = (name: string) => createNoteSigner(name, generateKeyPairSync('ed25519').privateKey);
const verifierKey = (s: ReturnType<typeof signer>) => formatVerifierKey(s.name, s.publicKey);

describe('key rotation statements', () => {
  const [k1, k2, k3, mallory] = ['trove-audit-1', 'trove-audit-2', 'trove-audit-3', 'mallory'].map(signer);
  const oneToTwo = { note: signRotation(k1, verifierKey(k2)), source: 'a' };
  const twoToThree = { note: signRotation(k2, verifierKey(k3)), source: 'b' };

  it('names the old and the new key and is signed by the old one', () => {
    const parsed = parseRotationText(parseSignedNote(oneToTwo.note).text);
    assert.equal(parsed.newVerifierKey, verifierKey(k2));
    assert.equal(parsed.oldKey.keyId, k1.keyId);
  });

  it('follows a chain from the pinned key, in any order', () => {
    const chain = extendTrust([parseVerifierKey(verifierKey(k1))], [twoToThree, oneToTwo]);
    assert.deepEqual(chain.keys.map((k) => k.name), ['trove-audit-1', 'trove-audit-2', 'trove-audit-3']);
    assert.deepEqual(chain.rotations.map((r) => r.signedBy.split('+')[0]), ['trove-audit-1', 'trove-audit-2']);
  });

  it('adds nothing through a statement not signed by a trusted key, or by a key other than the old one it names', () => {
    const byMallory = { note: signRotation(mallory, verifierKey(k3)), source: 'c' };
    assert.equal(extendTrust([parseVerifierKey(verifierKey(k1))], [byMallory, twoToThree]).keys.length, 1);
    // Signed by the trusted k1, but claiming to speak for k2: not a rotation of k1.
    const text = `trove-audit-key-rotation/v1\nold ${verifierKey(k2)}\nnew ${verifierKey(mallory)}\n`;
    const forged = { note: signNote(text, [k1]), source: 'd' };
    assert.equal(extendTrust([parseVerifierKey(verifierKey(k1))], [forged]).keys.length, 1);
  });
});
