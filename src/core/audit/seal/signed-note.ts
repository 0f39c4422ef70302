// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures: the envelope of a
// checkpoint. A note is text ending in "\n", a blank line, then lines
// "— <key name> <base64(uint32 key ID || signature)>". Verification follows the spec's rules:
// signatures from unknown keys are ignored, a failing signature from a known key rejects the
// whole note, and a note with no verified signature is rejected. Output is byte-compatible
// with Go's golang.org/x/mod/sumdb/note (checked against its published example in the tests).
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SealFormatError } from './seal-error.js';

/** Signature type byte of Ed25519 in the signed-note registry. */
export const ED25519_TYPE = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
// The spec asks verifiers to cap signatures (at least 16); Go's note package uses 100.
const MAX_SIGNATURES = 100;

/** A public key a verifier trusts, as parsed from "<name>+<hex key ID>+<base64(0x01 || key)>". */
export interface NoteVerifierKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  privateKey: KeyObject;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

export type NoteVerification =
  | { ok: true; text: string; verifiedBy: NoteVerifierKey[] }
  | { ok: false; code: 'malformed' | 'unknown_key' | 'bad_signature'; reason: string };

/** Key names: non-empty, no Unicode spaces, no '+' (it separates the verifier-key fields). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormed(name) && !/[\s+\p{Cc}]/u.test(name);
}

/** key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4], big-endian. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, ED25519_TYPE))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

export function keyIdToHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new SealFormatError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE) throw new SealFormatError('an Ed25519 public key is 32 bytes');
  const encoded = Buffer.concat([Uint8Array.of(ED25519_TYPE), publicKey]).toString('base64');
  return `${name}+${keyIdToHex(ed25519KeyId(name, publicKey))}+${encoded}`;
}

/** Parses a verifier key and checks that its key ID really is the hash of its name and key. */
export function parseVerifierKey(text: string): NoteVerifierKey {
  // The name holds no '+', so the first two '+' are separators; the base64 key may contain more.
  const match = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(text);
  if (!match) throw new SealFormatError(`malformed verifier key ${JSON.stringify(text)}`);
  const [, name, idHex, keyBase64] = match;
  if (!isValidKeyName(name)) throw new SealFormatError(`invalid key name in verifier key ${JSON.stringify(text)}`);
  const key = strictBase64(keyBase64);
  if (key === null || key.length !== 1 + ED25519_PUBLIC_KEY_SIZE || key[0] !== ED25519_TYPE) {
    throw new SealFormatError(`verifier key ${JSON.stringify(name)} is not an Ed25519 key`);
  }
  const publicKey = key.subarray(1);
  const keyId = Number.parseInt(idHex, 16);
  if (ed25519KeyId(name, publicKey) !== keyId) {
    throw new SealFormatError(`verifier key ${JSON.stringify(name)}: key ID does not match the key`);
  }
  return { name, keyId, publicKey };
}

/** The raw 32-byte public key of an Ed25519 KeyObject (private or public). */
export function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new SealFormatError('not an Ed25519 key');
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
}

export function createNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SealFormatError('a note signer needs an Ed25519 private key');
  }
  if (!isValidKeyName(name)) throw new SealFormatError(`invalid key name ${JSON.stringify(name)}`);
  const publicKey = rawEd25519PublicKey(privateKey);
  return { name, keyId: ed25519KeyId(name, publicKey), publicKey, privateKey };
}

export function signNote(text: string, signers: readonly NoteSigner[]): string {
  const problem = textProblem(text);
  if (problem) throw new SealFormatError(`cannot sign note: ${problem}`);
  if (signers.length === 0) throw new SealFormatError('cannot sign note: no signer');
  const lines = signers.map((signer) => {
    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(signer.keyId);
    const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
    return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/** Splits a signed note into text and signatures; throws SealFormatError when malformed. */
export function parseSignedNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (!isWellFormed(note)) throw new SealFormatError('note is not valid Unicode');
  if (/[\p{Cc}]/u.test(note.replaceAll('\n', ''))) throw new SealFormatError('note contains control characters');
  // The text may contain blank lines; the signatures start after the last one.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new SealFormatError('note has no signature block');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new SealFormatError('signature block must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new SealFormatError(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new SealFormatError(`not a signature line: ${JSON.stringify(line)}`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const blob = space < 0 ? null : strictBase64(rest.slice(space + 1));
    if (space < 0 || !isValidKeyName(name)) throw new SealFormatError(`malformed signature line: ${JSON.stringify(line)}`);
    if (blob === null || blob.length < 5) throw new SealFormatError(`malformed signature of ${JSON.stringify(name)}`);
    return { name, keyId: blob.readUInt32BE(0), signature: blob.subarray(4) };
  });
  return { text, signatures };
}

/** Opens a signed note against the trusted keys (the spec's verification rules, see top). */
export function openNote(note: string, trusted: readonly NoteVerifierKey[]): NoteVerification {
  let parsed: ReturnType<typeof parseSignedNote>;
  try {
    parsed = parseSignedNote(note);
  } catch (error) {
    if (error instanceof SealFormatError) return { ok: false, code: 'malformed', reason: error.message };
    throw error;
  }
  const message = Buffer.from(parsed.text, 'utf8');
  const verifiedBy: NoteVerifierKey[] = [];
  for (const signature of parsed.signatures) {
    // Name and ID must both match: a key sharing only one of them is someone else's key.
    const key = trusted.find((candidate) => candidate.name === signature.name && candidate.keyId === signature.keyId);
    if (!key) continue;
    if (!verifyEd25519(message, signature.signature, key.publicKey)) {
      return { ok: false, code: 'bad_signature', reason: `signature by ${describe(signature)} does not verify` };
    }
    if (!verifiedBy.includes(key)) verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) {
    const signers = parsed.signatures.map(describe).join(', ');
    return { ok: false, code: 'unknown_key', reason: `no signature from a trusted key (signed by ${signers})` };
  }
  return { ok: true, text: parsed.text, verifiedBy };
}

function verifyEd25519(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return verify(null, message, ed25519PublicKeyObject(publicKey), signature);
  } catch {
    return false; // e.g. a public key that is not a valid curve point; a wrong-length signature is just false
  }
}

function describe(signature: { name: string; keyId: number }): string {
  return `${signature.name}+${keyIdToHex(signature.keyId)}`;
}

/** Why a text cannot be a note text, or null if it can. */
export function textProblem(text: string): string | null {
  if (!text.endsWith('\n')) return 'text must end with a newline';
  if (!isWellFormed(text)) return 'text is not valid Unicode';
  if (/[\p{Cc}]/u.test(text.replaceAll('\n', ''))) return 'text contains control characters';
  return null;
}

/** Standard base64 (RFC 4648 §4) only in its canonical form: Buffer's decoder alone is lenient. */
function strictBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export { strictBase64 as decodeStrictBase64 };

/** No lone UTF-16 surrogates: they would not survive UTF-8 encoding, so signatures would not match. */
function isWellFormed(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}
