import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// The secret that signs registry tokens (HS256, registry-token.ts). It is kept in a file outside the
// database (TROVE_REGISTRY_TOKEN_KEY_FILE, mode 0600): whoever can read the database must not be
// able to mint tokens for any credential id it finds there. Every Trove process of one instance must
// accept the tokens any of them issued (a client's realm request and its /v2/ requests may land on
// different processes), so scale-out processes share the file as they share the audit key folder.

const KEY_BYTES = 32;

const cache = new Map<string, Promise<Buffer>>();

function parse(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < KEY_BYTES) throw new Error(`${file} does not hold a registry token key (${KEY_BYTES} random bytes, base64url)`);
  return key;
}

async function readKey(file: string): Promise<Buffer | null> {
  try {
    return parse(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function loadOrCreate(file: string): Promise<Buffer> {
  const existing = await readKey(file);
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
  const key = await readKey(file);
  if (!key) throw new Error(`${file} vanished while it was being created`);
  return key;
}

/** The signing key in `file`, made on first use. */
export function registryTokenKey(file: string): Promise<Buffer> {
  let key = cache.get(file);
  if (key === undefined) {
    key = loadOrCreate(file);
    // A failed load (a full disk, a shared folder briefly away) is retried by the next request.
    key.catch(() => cache.delete(file));
    cache.set(file, key);
  }
  return key;
}
