import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { tempDir } from '../../../test/support/temp-dir.js';
import { clearSign, decryptPrivateKey, detachedSign, encryptPrivateKey, generateDistributionKey } from './debian-signing.js';

describe('Debian signing keys', () => {
  it('keeps the private key only encrypted, bound to its fingerprint, and signs Release text that verifies', async () => {
    const kekFile = join(tempDir('trove-debian-kek-'), 'debian-signing.key');
    const key = await generateDistributionKey(kekFile, 'test distribution');
    assert.doesNotMatch(key.encryptedPrivateKey, /PRIVATE KEY/);
    assert.equal((readFileSync(kekFile).length > 32), true, 'the key-encryption key is in its own file');
    const kek = Buffer.from(readFileSync(kekFile, 'utf8').trim(), 'base64url');
    assert.match(decryptPrivateKey(kek, key.encryptedPrivateKey, key.fingerprint), /BEGIN PGP PRIVATE KEY BLOCK/);
    assert.throws(() => decryptPrivateKey(kek, key.encryptedPrivateKey, 'another fingerprint'), 'another row’s fingerprint does not decrypt it');
    assert.throws(() => decryptPrivateKey(randomBytes(32), key.encryptedPrivateKey, key.fingerprint), 'another key-encryption key does not decrypt it');

    const text = 'Codename: stable\nSHA256:\n 00 0 main/binary-all/Packages\n';
    const publicKey = await openpgp.readKey({ armoredKey: key.publicKey });
    const clear = await openpgp.readCleartextMessage({ cleartextMessage: await clearSign(kekFile, key, text) });
    const verified = await openpgp.verify({ message: clear, verificationKeys: publicKey });
    await verified.signatures[0]!.verified;
    assert.equal(verified.data.replace(/\r\n/g, '\n'), text);
    const detached = await openpgp.verify({
      message: await openpgp.createMessage({ binary: Buffer.from(text) }),
      signature: await openpgp.readSignature({ armoredSignature: await detachedSign(kekFile, key, text) }),
      verificationKeys: publicKey,
    });
    await detached.signatures[0]!.verified;
  });

  it('refuses a stored key in an unknown encryption', () => {
    assert.throws(() => decryptPrivateKey(randomBytes(32), 'v0:abc', 'F'), /unknown encryption/);
    assert.match(encryptPrivateKey(randomBytes(32), 'x', 'F'), /^v1:/);
  });
});
