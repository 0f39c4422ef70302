// The audit log's Ed25519 signing keys, kept in a folder of the data directory, outside the
// database (docs/architecture.md#tamper-evidence: someone who can rewrite the database must not also get the key).
//   <dir>/<name>.<key ID>.key    PKCS#8 PEM private key, mode 0600; deleted when the key retires
//   <dir>/<name>.<key ID>.vkey   its verifier key "<name>+<key ID>+<base64>", kept forever
//   <dir>/<name>.<key ID>.rotation  the statement, signed by the key it replaced, that this key
//                                succeeds it (key-rotation.ts); kept forever
//   <dir>/active                 the file stem of the key that signs new checkpoints
// The .vkey files are what the server publishes, not what a verifier trusts: `trove audit verify`
// trusts only keys the operator pinned outside this folder, plus keys added by rotation
// statements signed by a trusted key (whoever can write here could drop a .vkey of their own).
import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { signRotation, type RotationStatement } from './key-rotation.js';
import { SealFormatError } from './seal-error.js';
import {
  createNoteSigner,
  formatVerifierKey,
  keyIdToHex,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifierKey,
} from './signed-note.js';

const ACTIVE_FILE = 'active';
const PRIVATE_SUFFIX = '.key';
const VERIFIER_SUFFIX = '.vkey';
const ROTATION_SUFFIX = '.rotation';

export interface AuditSigningKey {
  signer: NoteSigner;
  /** "<name>+<hex key ID>+<base64(0x01 || public key)>", what /api/v4/audit_events/checkpoint publishes. */
  verifierKey: string;
}

export interface PublishedVerifierKey extends NoteVerifierKey {
  verifierKey: string;
  active: boolean;
}

/** "trove-audit-2026-11-25": a name that tells an operator when the key was made. */
export function defaultKeyName(now: Date = new Date()): string {
  return `trove-audit-${now.toISOString().slice(0, 10)}`;
}

/** The active key, or null when none was made yet. */
export async function loadActiveSigningKey(dir: string): Promise<AuditSigningKey | null> {
  const stem = await readActiveStem(dir);
  if (stem === null) return null;
  const verifierKey = (await readFile(join(dir, stem + VERIFIER_SUFFIX), 'utf8')).trim();
  const trusted = parseVerifierKey(verifierKey);
  const privateKey = createPrivateKey(await readFile(join(dir, stem + PRIVATE_SUFFIX), 'utf8'));
  const signer = createNoteSigner(trusted.name, privateKey);
  // Refuse a private key that does not belong to its published verifier key: checkpoints signed
  // with it would not verify anywhere.
  if (signer.keyId !== trusted.keyId || !Buffer.from(signer.publicKey).equals(trusted.publicKey)) {
    throw new SealFormatError(`${stem}${PRIVATE_SUFFIX} does not match ${stem}${VERIFIER_SUFFIX}`);
  }
  return { signer, verifierKey };
}

/** The active key, made on first use: what the sealer calls at start. */
export async function ensureActiveSigningKey(dir: string, options: { name?: string } = {}): Promise<AuditSigningKey> {
  return (await loadActiveSigningKey(dir)) ?? (await createActiveKey(dir, options.name ?? defaultKeyName()));
}

/**
 * Makes a new key the active one. The old private key is deleted once the new one is active:
 * a retired key never signs again, so keeping it would only give a thief more to use. Its
 * verifier key stays, so the checkpoints it signed still verify.
 */
export async function rotateSigningKey(dir: string, options: { name?: string } = {}): Promise<AuditSigningKey & { rotation: string | null }> {
  const old = await loadActiveSigningKey(dir);
  const oldStem = await readActiveStem(dir);
  const created = await createActiveKey(dir, options.name ?? defaultKeyName(), old ? (verifierKey) => signRotation(old.signer, verifierKey) : undefined);
  if (oldStem !== null) await rm(join(dir, oldStem + PRIVATE_SUFFIX), { force: true });
  const stem = await readActiveStem(dir);
  return { ...created, rotation: old ? await readFile(join(dir, stem + ROTATION_SUFFIX), 'utf8') : null };
}

/** Every rotation statement in the folder, in file name order. */
export async function listRotationStatements(dir: string): Promise<RotationStatement[]> {
  const statements: RotationStatement[] = [];
  for (const file of await filesEndingWith(dir, ROTATION_SUFFIX)) {
    statements.push({ note: await readFile(join(dir, file), 'utf8'), source: join(dir, file) });
  }
  return statements;
}

/** Every verifier key in the folder (active and retired), sorted by name then key ID: what the server publishes, not what verify trusts. */
export async function listPublishedVerifierKeys(dir: string): Promise<PublishedVerifierKey[]> {
  const activeStem = await readActiveStem(dir);
  const keys: PublishedVerifierKey[] = [];
  for (const file of await filesEndingWith(dir, VERIFIER_SUFFIX)) {
    const verifierKey = (await readFile(join(dir, file), 'utf8')).trim();
    const parsed = parseVerifierKey(verifierKey);
    keys.push({ ...parsed, verifierKey, active: file === activeStem + VERIFIER_SUFFIX });
  }
  return keys.sort((a, b) => (a.name === b.name ? a.keyId - b.keyId : a.name < b.name ? -1 : 1));
}

/** The names of the folder's files that end with `suffix`, sorted; none when there is no folder. */
async function filesEndingWith(dir: string, suffix: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(suffix)).sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

async function createActiveKey(dir: string, name: string, rotation?: (verifierKey: string) => string): Promise<AuditSigningKey> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = createNoteSigner(name, privateKey); // validates the name
  const verifierKey = formatVerifierKey(name, signer.publicKey);
  const stem = `${fileSafe(name)}.${keyIdToHex(signer.keyId)}`;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Private key first, then its verifier key, then the switch: a crash in between leaves an
  // unused key behind, never an active key without its files.
  await writeNewFile(join(dir, stem + PRIVATE_SUFFIX), pkcs8Pem(privateKey), 0o600);
  await writeNewFile(join(dir, stem + VERIFIER_SUFFIX), `${verifierKey}\n`, 0o644);
  // The old key vouches for the new one before it retires (its private key is deleted after).
  if (rotation) await writeNewFile(join(dir, stem + ROTATION_SUFFIX), rotation(verifierKey), 0o644);
  const pending = join(dir, `${ACTIVE_FILE}.${process.pid}.tmp`);
  await rm(pending, { force: true }); // left over by a crash of an earlier process with our pid
  await writeNewFile(pending, `${stem}\n`, 0o644);
  await rename(pending, join(dir, ACTIVE_FILE)); // atomic switch
  await syncDirectory(dir);
  return { signer, verifierKey };
}

function pkcs8Pem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Creates (never overwrites) a file with exactly `mode`, whatever the umask, and syncs it. */
async function writeNewFile(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

async function readActiveStem(dir: string): Promise<string | null> {
  try {
    const stem = (await readFile(join(dir, ACTIVE_FILE), 'utf8')).trim();
    if (!/^[A-Za-z0-9._-]+$/.test(stem)) throw new SealFormatError(`${join(dir, ACTIVE_FILE)} is corrupt`);
    return stem;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Key names may hold '/' or ':' (e.g. a URL-like origin); file names must not. */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
