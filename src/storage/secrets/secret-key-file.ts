import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// Secrets kept in a private file outside the database (mode 0600, in a 0700 folder), made on first
// use: whoever can read the database (a backup, a read replica) must not learn them. Every Trove
// process of one instance uses the same file, as scale-out processes share the audit key folder.
// The container registry's token key and the Debian signing keys' key-encryption key live here.

const KEY_BYTES = 32;

const cache = new Map<string, Promise<Buffer>>();

function parse(text: string, file: string, what: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < KEY_BYTES) throw new Error(`${file} does not hold a ${what} (${KEY_BYTES} random bytes, base64url)`);
  return key;
}

async function readKey(file: string, what: string): Promise<Buffer | null> {
  try {
    return parse(await readFile(file, 'utf8'), file, what);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function loadOrCreate(file: string, what: string): Promise<Buffer> {
  const existing = await readKey(file, what);
  if (existing) return existing;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: link() fails when another process
  // got there first, and a reader never sees a half-written file. Both then use the one that won.
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, randomBytes(KEY_BYTES).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(draft, { force: true });
  }
  const key = await readKey(file, what);
  if (!key) throw new Error(`${file} vanished while it was being created`);
  return key;
}

/** The 32-byte (or longer) secret in `file`, made on first use; `what` names it in errors. */
export function secretKeyFile(file: string, what: string): Promise<Buffer> {
  let key = cache.get(file);
  if (key === undefined) {
    key = loadOrCreate(file, what);
    // A failed load (a full disk, a shared folder briefly away) is retried by the next request.
    key.catch(() => cache.delete(file));
    cache.set(file, key);
  }
  return key;
}
