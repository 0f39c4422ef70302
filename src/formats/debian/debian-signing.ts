import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PrivateKey } from 'openpgp';
import { lazyModule } from '../../lazy-module.js';
import { secretKeyFile } from '../../storage/secrets/secret-key-file.js';

// Each distribution signs its Release files with its own OpenPGP key (Ed25519, a v4 key as gpgv and
// apt's other verifiers read). The private key never sits in the database in clear: it is stored
// encrypted with AES-256-GCM under a key-encryption key kept in a private file outside the database
// (TROVE_DEBIAN_SIGNING_KEY_FILE), and the ciphertext is bound to the key's fingerprint (the GCM
// additional data), so a ciphertext moved onto another distribution's row does not decrypt. A reader
// of the database alone, or of a backup, cannot sign a Release file apt would trust.

const openpgpLibrary = lazyModule(() => import('openpgp'));

const ENCRYPTION_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface DistributionKey {
  /** ASCII-armored public key, as `key.asc` serves it. */
  publicKey: string;
  fingerprint: string;
  encryptedPrivateKey: string;
}

async function keyEncryptionKey(file: string): Promise<Buffer> {
  return (await secretKeyFile(file, 'Debian signing key-encryption key')).subarray(0, 32);
}

export function encryptPrivateKey(kek: Buffer, armoredPrivateKey: string, fingerprint: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(fingerprint));
  const sealed = Buffer.concat([cipher.update(armoredPrivateKey, 'utf8'), cipher.final()]);
  return `${ENCRYPTION_VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
}

export function decryptPrivateKey(kek: Buffer, stored: string, fingerprint: string): string {
  const [version, payload] = stored.split(':', 2);
  if (version !== ENCRYPTION_VERSION || !payload) throw new Error('unknown encryption of a Debian signing key');
  const bytes = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(fingerprint));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** A new signing key for a distribution, its private half encrypted under the key in `kekFile`. */
export async function generateDistributionKey(kekFile: string, userId: string): Promise<DistributionKey> {
  const openpgp = await openpgpLibrary();
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: userId }],
    format: 'armored',
  });
  const parsed = await openpgp.readKey({ armoredKey: publicKey });
  const fingerprint = parsed.getFingerprint().toUpperCase();
  return { publicKey, fingerprint, encryptedPrivateKey: encryptPrivateKey(await keyEncryptionKey(kekFile), privateKey, fingerprint) };
}

// Parsed private keys by fingerprint: decrypting and parsing on every apt-get update would cost more
// than the signature itself.
const unlocked = new Map<string, Promise<PrivateKey>>();

async function signingKey(kekFile: string, key: Pick<DistributionKey, 'fingerprint' | 'encryptedPrivateKey'>): Promise<PrivateKey> {
  let found = unlocked.get(key.fingerprint);
  if (!found) {
    found = (async () => (await openpgpLibrary()).readPrivateKey({ armoredKey: decryptPrivateKey(await keyEncryptionKey(kekFile), key.encryptedPrivateKey, key.fingerprint) }))();
    found.catch(() => unlocked.delete(key.fingerprint));
    unlocked.set(key.fingerprint, found);
  }
  return found;
}

/** InRelease: the Release text clear-signed. */
export async function clearSign(kekFile: string, key: Pick<DistributionKey, 'fingerprint' | 'encryptedPrivateKey'>, text: string): Promise<string> {
  const openpgp = await openpgpLibrary();
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: await signingKey(kekFile, key) });
}

/** Release.gpg: an armored detached signature of the Release bytes. */
export async function detachedSign(kekFile: string, key: Pick<DistributionKey, 'fingerprint' | 'encryptedPrivateKey'>, text: string): Promise<string> {
  const openpgp = await openpgpLibrary();
  const message = await openpgp.createMessage({ binary: Buffer.from(text, 'utf8') });
  return openpgp.sign({ message, signingKeys: await signingKey(kekFile, key), detached: true });
}
